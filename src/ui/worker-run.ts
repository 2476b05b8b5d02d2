import type {Logger} from '../log-structured.js'

interface Worker {
  stop(): Promise<void>
  done: Promise<void>
}

/**
 * Runs a long-lived worker until SIGINT/SIGTERM. Signals are handled from
 * the very start: one that arrives while the worker is starting stops it as
 * soon as it is up; a second one exits at once. `serve` starts what exposes
 * the worker (HTTP), closed after the worker stopped.
 */
export async function runUntilSignal<W extends Worker>(logger: Logger, start: () => Promise<W>, serve: (worker: W) => Promise<{close(): Promise<void>}>): Promise<W> {
  let worker: W | undefined
  let stopRequested = false
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({signal}, 'second signal: exiting now')
      process.exit(130)
    }
    logger.info({signal}, 'stopping')
    stopRequested = true
    void worker?.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    worker = await start()
    const running = worker
    const server = await serve(running).catch(async (error: unknown) => {
      await running.stop()
      throw error
    })
    if (stopRequested) void running.stop()
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
