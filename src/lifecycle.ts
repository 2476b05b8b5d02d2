import type {Logger} from './log-structured.js'

/**
 * How a long-running worker ends: `done` resolves once a clean stop has
 * finished (call `finish`), or rejects after the worker stopped itself
 * because one of its background loops failed (pass them to `failed`).
 */
export function workerLifecycle(options: {log: Logger; stopping: () => boolean; stop: () => Promise<void>; onError: (message: string) => void}) {
  let finish!: () => void
  let fail!: (error: unknown) => void
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)))
  done.catch(() => {})
  const failed = (error: unknown) => {
    if (options.stopping()) return
    const message = (error as Error).message
    options.onError(message)
    options.log.error({err: message}, 'reading failed; stopping')
    void options.stop().then(() => fail(error))
  }
  return {done, finish: () => finish(), failed}
}
