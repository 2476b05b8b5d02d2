import {setTimeout as sleep} from 'node:timers/promises'

import {producersClosed, producersClosing} from '../kafka/producer.js'
import {exitNow} from './exit-now.js'

/** How long a finished command waits for librdkafka to answer the calls of producers being destroyed. */
export const STUCK_CALL_MS = 15_000

/**
 * Before the process exits: producers closed while librdkafka still ran a
 * call of theirs are destroyed only once it answers, and exiting before
 * would crash in librdkafka's threads or wait forever at exit for the
 * call's libuv thread. Waits for them up to limitMs; a call still
 * unanswered then (librdkafka#5456) is abandoned: the process ends at once
 * with exitCode(). Nothing is lost by that: such a producer's open
 * transaction is aborted by the broker (the producer that replaced it
 * fenced it, or its transaction times out), and a plain producer's
 * unanswered records were never reported as written.
 */
export async function awaitProducersDestroyed(
  report: (line: string, fields: Record<string, unknown>) => void,
  exitCode: () => number,
  limitMs = STUCK_CALL_MS,
): Promise<void> {
  const pending = producersClosing()
  if (pending.length === 0) return
  report('waiting for librdkafka to answer and destroy the producers it holds', {producers: pending})
  const settled = await Promise.race([producersClosed().then(() => true), sleep(limitMs, false, {ref: false})])
  if (settled) return
  const code = exitCode()
  report('librdkafka never answered a producer call (librdkafka#5456): exiting without waiting for its thread', {
    producers: producersClosing(),
    waitedMs: limitMs,
    exitCode: code,
  })
  await exitNow(code)
}
