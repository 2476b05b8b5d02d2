import type {Logger} from './log-structured.js'

/**
 * How a long-running worker ends: `done` settles when its stop has finished
 * (the worker calls `finish` at the end of stop) — resolved after a clean
 * stop, rejected with the cause when the worker stopped itself because one of
 * its background loops failed (pass those to `failed`).
 */
export function workerLifecycle(options: {log: Logger; stopping: () => boolean; stop: () => Promise<void>; onError: (message: string) => void}) {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const done = new Promise<void>((ok, ko) => ((resolve = ok), (reject = ko)))
  done.catch(() => {})
  let failure: {error: unknown} | undefined
  const failed = (error: unknown) => {
    if (options.stopping()) return
    failure = {error}
    const message = (error as Error).message
    options.onError(message)
    options.log.error({err: message}, 'reading failed; stopping')
    void options.stop()
  }
  const finish = () => (failure ? reject(failure.error) : resolve())
  return {done, finish, failed}
}

/** Thrown by a worker's start when a stop was requested before it was up. */
export class StopRequested extends Error {
  constructor() {
    super('stopped while starting')
    this.name = 'StopRequested'
  }
}

/**
 * Waits for promise unless the signal fires first (then throws StopRequested):
 * a stop is never held up by a start step. What the step still produces after
 * the stop (a connected client, a group member) goes to `discard`.
 */
export async function unlessStopped<T>(promise: Promise<T>, signal: AbortSignal | undefined, discard?: (late: T) => unknown): Promise<T> {
  if (!signal) return promise
  const dropLate = () => void promise.then((late) => discard?.(late)).catch(() => {})
  if (signal.aborted) {
    dropLate()
    throw new StopRequested()
  }
  let onAbort!: () => void
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      dropLate()
      reject(new StopRequested())
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
