import {StopRequested} from '../lifecycle.js'
import type {Logger} from '../log-structured.js'

interface Worker {
  stop(): Promise<void>
  done: Promise<void>
}

/**
 * Runs a long-lived worker until SIGINT/SIGTERM. Signals are handled from the
 * very start: one that arrives while the worker is starting aborts the start
 * (start receives the signal; nothing waits for a broker that is going away),
 * one that arrives later stops it; a second one exits at once. `serve` starts
 * what exposes the worker (HTTP), closed after the worker stopped. Resolves
 * with the worker, or undefined when it was stopped before it was up.
 */
export async function runUntilSignal<W extends Worker>(
  logger: Logger,
  start: (signal: AbortSignal) => Promise<W>,
  serve: (worker: W) => Promise<{close(): Promise<void>}>,
): Promise<W | undefined> {
  const stopRequest = new AbortController()
  let worker: W | undefined
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({signal}, 'second signal: exiting now')
      process.exit(130)
    }
    logger.info({signal}, 'stopping')
    stopRequest.abort()
    void worker?.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    try {
      worker = await start(stopRequest.signal)
    } catch (error) {
      if (error instanceof StopRequested || stopRequest.signal.aborted) {
        logger.info('stopped before it was up')
        return undefined
      }
      throw error
    }
    const running = worker
    const server = await serve(running).catch(async (error: unknown) => {
      await running.stop()
      throw error
    })
    if (stopRequest.signal.aborted) void running.stop()
    try {
      await running.done
    } finally {
      await server.close()
    }
    return running
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
