import {StopRequested} from '../lifecycle.js'
import type {Logger} from '../log-structured.js'
import {exitNow} from './exit-now.js'
import {awaitProducersDestroyed} from './producers-exit.js'

interface Worker {
  stop(): Promise<void>
  done: Promise<void>
}

/** How long a stopped worker's process may take to end on its own. */
const EXIT_GRACE_MS = 10_000

/**
 * Once the worker has stopped (its output committed, its group left),
 * nothing it holds may keep the process alive: a Kafka client still
 * talking to a broker that is gone, or a step after the stop that never
 * settles (CI: a filter logged "stopped" after a broker kill and was still
 * running a minute later). If the process has not ended after the grace,
 * this waits for the producers librdkafka is still destroying, then logs
 * what holds the process and ends it at once, with 1 when the worker failed.
 */
function exitIfHeld(logger: Logger, done: Promise<void>, graceMs: number): void {
  let code = 0
  done.catch(() => (code = 1))
  setTimeout(() => {
    void (async () => {
      await awaitProducersDestroyed(
        (line, fields) => logger.warn(fields, line),
        () => code,
      )
      logger.warn({heldBy: process.getActiveResourcesInfo(), graceMs}, 'stopped, but the process is still held: exiting')
      // Not process.exit: it would wait for any libuv thread a Kafka client still holds.
      await exitNow(code)
    })()
  }, graceMs).unref()
}

/**
 * Runs a long-lived worker until SIGINT/SIGTERM. Signals are handled from the
 * very start: one that arrives while the worker is starting aborts the start
 * (start receives the signal; nothing waits for a broker that is going away),
 * one that arrives later stops it; a second one exits at once. `serve` starts
 * what exposes the worker (HTTP), closed after the worker stopped; the
 * process then ends within EXIT_GRACE_MS whatever still holds it. Resolves
 * with the worker, or undefined when it was stopped before it was up.
 */
export async function runUntilSignal<W extends Worker>(
  logger: Logger,
  start: (signal: AbortSignal) => Promise<W>,
  serve: (worker: W) => Promise<{close(): Promise<void>}>,
  options: {exitGraceMs?: number} = {},
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
      exitIfHeld(logger, running.done, options.exitGraceMs ?? EXIT_GRACE_MS)
      await server.close()
    }
    return running
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
