import type {Profile} from '../config/schema.js'
import type {GroupConsumer} from '../kafka/group.js'
import {KafkaProducer} from '../kafka/producer.js'
import type {LibrdKafkaError} from '../kafka/rdkafka.js'
import type {Logger} from '../log-structured.js'
import type {Outgoing} from './batch.js'

export interface OutputTopics {
  input: string
  output: string
  events: string
  dlq: string
}

/** Writes a batch's outputs and commits its input offsets: atomically (exactly once) or in that order (at least once). */
export interface OutputSession {
  commit(out: Outgoing): Promise<void>
  close(): Promise<void>
}

function offsetsOf(out: Outgoing, topic: string) {
  return [...out.next].map(([partition, offset]) => ({topic, partition, offset}))
}

/** Queues a batch's outputs in the open transaction; a message that fails makes the commit fail. */
async function queueAll(producer: KafkaProducer, out: Outgoing, topics: OutputTopics): Promise<void> {
  for (const [topic, messages] of [
    [topics.output, out.passed],
    [topics.events, out.events],
    [topics.dlq, out.dlq],
  ] as const) {
    for (const message of messages) await producer.produce(topic, message, () => {})
  }
}

/**
 * Exactly once: one transaction per batch holding the outputs and the
 * consumed offsets, the offsets sent with the consumer's group metadata
 * (KIP-447), so a member that lost its partitions — killed, frozen past its
 * session, or fenced — can commit neither. A fatal producer error (fenced by
 * a newer epoch) replaces the producer; its initTransactions aborts whatever
 * the old one left open.
 */
export function transactionalOutput(
  profile: Profile,
  options: {transactionalId: string; topics: OutputTopics; group: GroupConsumer; log: Logger; transactionTimeoutMs?: number},
): OutputSession {
  let producer: KafkaProducer | undefined
  // Past the transaction timeout the coordinator aborts the transaction anyway: waiting longer on one only stalls the worker.
  const transactionTimeoutMs = options.transactionTimeoutMs ?? 10_000
  const open = async () =>
    (producer ??= await KafkaProducer.open(profile, {
      role: 'filter',
      transactionalId: options.transactionalId,
      transactionTimeoutMs,
      lingerMs: 5,
      connectTimeoutMs: 30_000,
    }))
  // Not awaited: the next producer's initTransactions fences this one whatever it is doing, and its destroy may take long.
  const discard = async () => {
    const old = producer
    producer = undefined
    if (old) options.log.warn({pendingCalls: old.pendingCalls()}, 'replacing the transactional producer')
    void old?.close(1000).catch(() => {})
  }
  return {
    async commit(out) {
      const p = await open()
      const step = (what: string) => options.log.trace({step: what}, 'transaction step')
      await p.begin()
      step('begun')
      try {
        await queueAll(p, out, options.topics)
        step('queued')
        await p.sendOffsets(offsetsOf(out, options.topics.input), options.group.raw, transactionTimeoutMs)
        step('offsets sent')
        const deadline = Date.now() + 2 * transactionTimeoutMs
        for (let attempt = 1; ; attempt++) {
          try {
            await p.commit(transactionTimeoutMs)
            break
          } catch (error) {
            const e = error as LibrdKafkaError
            if (!e.isRetriable || e.isTxnRequiresAbort || Date.now() > deadline) throw error
            options.log.warn({err: e.message, attempt}, 'retrying the commit')
          }
        }
      } catch (error) {
        const e = error as LibrdKafkaError
        // A producer that cannot even abort (its coordinator gone) is replaced: the next one's initTransactions fences it.
        step(`failed: ${e.message}`)
        if (e.isFatal) await discard()
        else await p.abort(transactionTimeoutMs).catch(discard)
        step('rolled back')
        throw error
      }
    },
    close: async () => {
      const old = producer
      producer = undefined
      await old?.close(1000).catch(() => {})
    },
  }
}

/** At least once (--eos false): produce and wait for the acknowledgements, then store the offsets for the next automatic commit; a crash in between repeats that work. */
export function atLeastOnceOutput(profile: Profile, options: {topics: OutputTopics; group: GroupConsumer}): OutputSession {
  let producer: Promise<KafkaProducer> | undefined
  return {
    async commit(out) {
      producer ??= KafkaProducer.open(profile, {role: 'filter', lingerMs: 5})
      producer.catch(() => (producer = undefined))
      const p = await producer
      await Promise.all([p.send(options.topics.output, out.passed), p.send(options.topics.events, out.events), p.send(options.topics.dlq, out.dlq)])
      // Stored now, committed by the client every second (as at-least-once consumers usually run): a crash repeats up to that much work.
      options.group.storeOffsets(
        [...out.next].filter(([partition]) => options.group.owns(partition)).map(([partition, offset]) => ({partition, offset: BigInt(offset)})),
      )
    },
    async close() {
      await (await producer?.catch(() => undefined))?.close()
    },
  }
}
