import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {createKafka, explainKafkaError, retryRetriable} from '../kafka/client.js'
import {createRegistry} from '../schema/registry.js'
import {decodeValue} from './decode.js'

export type StartPosition = 'beginning' | 'end' | bigint

export interface ConsumeOptions {
  from?: StartPosition
  /** Stop after this many records were emitted. */
  limit?: number
  /** Keep waiting for new records instead of stopping at the end of every partition. */
  follow?: boolean
  /** Emit only records with this key. */
  key?: string
  partition?: number
  /** With follow: called once every partition has been read up to where it ended when reading began. */
  onCaughtUp?: () => void
  /** Exact start offsets per partition (overrides from), e.g. the ends seen before sending. */
  startOffsets?: Map<number, bigint>
  signal?: AbortSignal
  /** How long a fetch waits for new records (ms): lower means fresher, busier. */
  maxWaitMs?: number
  /** Upper bound of one fetch response (bytes): lower keeps a long-lived reader's memory small. */
  maxBytes?: number
  onRecord: (record: ConsumedRecord) => void
}

export interface ConsumedRecord {
  topic: string
  partition: number
  offset: string
  timestamp: string
  key: string | null
  value: unknown
  format: string
  schemaId?: number
  headers?: Record<string, string>
  error?: string
}

export interface ConsumeResult {
  count: number
  stoppedBecause: 'end' | 'limit' | 'signal'
}

/** Parses --from: beginning, end, or an offset. */
export function parseStartPosition(value: string): StartPosition {
  if (value === 'beginning' || value === 'end') return value
  if (/^\d+$/.test(value)) return BigInt(value)
  throw new MktError(`--from must be beginning, end or an offset, got "${value}".`, 'For example --from beginning or --from 1500.', 'usage')
}

/**
 * Reads a topic like kcat does, read_committed, decoding Avro through the
 * registry. Without follow it stops once every partition is read up to the
 * end it had when reading began. Commits nothing (an ephemeral group).
 */
export async function consumeTopic(profile: Profile, topic: string, options: ConsumeOptions): Promise<ConsumeResult> {
  const kafka = createKafka(profile, {role: 'consume'})
  const admin = kafka.admin()
  let ends: Map<number, bigint>
  let starts: Map<number, bigint>
  try {
    await admin.connect()
    const topics = await retryRetriable(() => admin.listTopics())
    if (!topics.includes(topic)) throw new MktError(`No topic named "${topic}" on ${profile.brokers.join(',')}.`, 'Run `mkt topics list` to see the topics.', 'notFound')
    const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic))
    const wanted = offsets.filter((o) => options.partition === undefined || o.partition === options.partition)
    if (wanted.length === 0) throw new MktError(`Topic "${topic}" has no partition ${options.partition}.`, `It has partitions 0-${offsets.length - 1}.`, 'notFound')
    ends = new Map(wanted.map((o) => [o.partition, BigInt(o.high)]))
    const from = options.from ?? 'beginning'
    starts = new Map(
      wanted.map((o) => {
        const low = BigInt(o.low)
        const high = BigInt(o.high)
        const wantedStart = options.startOffsets?.get(o.partition) ?? (from === 'beginning' ? low : from === 'end' ? high : from)
        const start = wantedStart < low ? low : wantedStart > high ? high : wantedStart
        return [o.partition, start]
      }),
    )
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    await admin.disconnect().catch(() => {})
  }

  const pending = new Set([...starts].filter(([p, start]) => start < ends.get(p)!).map(([p]) => p))
  if (!options.follow && pending.size === 0) return {count: 0, stoppedBecause: 'end'}
  if (options.limit === 0) return {count: 0, stoppedBecause: 'limit'}

  const registry = createRegistry(profile)
  const consumer = kafka.consumer({groupId: `mkt-consume-${process.pid}-${Date.now()}`, readUncommitted: false, maxWaitTimeInMs: options.maxWaitMs ?? 250, retry: {retries: 3}, ...(options.maxBytes ? {maxBytes: options.maxBytes, maxBytesPerPartition: Math.max(64 * 1024, Math.floor(options.maxBytes / 4))} : {})})
  let count = 0
  let finish!: (reason: ConsumeResult['stoppedBecause']) => void
  const finished = new Promise<ConsumeResult['stoppedBecause']>((resolve) => (finish = resolve))
  let done = false
  const stop = (reason: ConsumeResult['stoppedBecause']) => {
    if (done) return
    done = true
    finish(reason)
  }
  const onAbort = () => stop('signal')
  options.signal?.addEventListener('abort', onAbort)
  if (options.signal?.aborted) stop('signal')

  let caughtUp = false
  const catchUp = () => {
    if (caughtUp) return
    caughtUp = true
    options.onCaughtUp?.()
    if (!options.follow) stop('end')
  }
  /** Records that a partition was read to lastOffset; true when reading it should stop (not following). */
  const reached = (partition: number, lastOffset: string): boolean => {
    if (!pending.has(partition) || BigInt(lastOffset) + 1n < ends.get(partition)!) return false
    pending.delete(partition)
    if (pending.size === 0) catchUp()
    return !options.follow
  }
  // Batches of only control records or aborted messages never reach eachBatch;
  // this event still tells how far the partition was read.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({payload}: {payload: {partition: number; lastOffset: string}}) => {
    reached(payload.partition, payload.lastOffset)
  })

  try {
    await consumer.connect()
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({batch}) => {
        if (options.partition !== undefined && batch.partition !== options.partition) return
        for (const message of batch.messages) {
          if (done) return
          const key = message.key?.toString('utf8') ?? null
          if (options.key === undefined || key === options.key) {
            const decoded = await decodeValue(message.value, registry)
            const headers = message.headers && Object.keys(message.headers).length > 0 ? Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, String(v)])) : undefined
            options.onRecord({
              topic,
              partition: batch.partition,
              offset: message.offset,
              timestamp: new Date(Number(message.timestamp)).toISOString(),
              key,
              value: decoded.value,
              format: decoded.format,
              ...(decoded.schemaId === undefined ? {} : {schemaId: decoded.schemaId}),
              ...(headers ? {headers} : {}),
              ...(decoded.error ? {error: decoded.error} : {}),
            })
            count++
            if (options.limit !== undefined && count >= options.limit) return stop('limit')
          }
          if (reached(batch.partition, message.offset)) return
        }
      },
    })
    for (const [partition, start] of starts) consumer.seek({topic, partition, offset: start.toString()})
    if (pending.size === 0) catchUp() // nothing to read up to: caught up from the start
    const reason = await finished
    return {count, stoppedBecause: reason}
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await consumer.disconnect().catch(() => {})
  }
}

/** The current end offset of every partition, to read only what is written after this moment. */
export async function endOffsets(profile: Profile, topic: string): Promise<Map<number, bigint>> {
  const admin = createKafka(profile, {role: 'consume'}).admin()
  try {
    await admin.connect()
    const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic))
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]))
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    await admin.disconnect().catch(() => {})
  }
}
