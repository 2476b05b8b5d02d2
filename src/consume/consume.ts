import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {explainKafkaError, retryRetriable, withAdmin} from '../kafka/client.js'
import {requireTopics} from '../kafka/topics-visible.js'
import {openPartitionReader, openTailReader, type PartitionReader} from '../kafka/reader.js'
import {AvroWireDecoder, type WireDecoder} from '../schema/wire-decoder.js'
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
  /** Called once the reader is positioned: a record written after this is read. */
  onPositioned?: () => void
  /** What decodes the values (one whose schemas are already fetched); by default an AvroWireDecoder. */
  registry?: WireDecoder
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
 * end it had when reading began. Reads assigned partitions from exact
 * offsets (no consumer group): it never moves backwards and commits nothing.
 */
export async function consumeTopic(profile: Profile, topic: string, options: ConsumeOptions): Promise<ConsumeResult> {
  if (options.follow && options.from === 'end' && !options.startOffsets && options.partition === undefined && options.limit !== 0) {
    // Only what comes next: every partition's end and the reader come from one client, with no admin round trips.
    const reader = await openTailReader(profile, {role: 'consume', topic, ...readerTuning(options)})
    options.onPositioned?.()
    return readRecords(profile, topic, options, reader, reader.starts, new Map(reader.starts))
  }
  const {ends, starts} = await withAdmin(
    profile,
    async (admin) => {
      await requireTopics(admin, profile, [topic], 'read', 'Run `mkt topics list` to see the topics.')
      const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic))
      const wanted = offsets.filter((o) => options.partition === undefined || o.partition === options.partition)
      if (wanted.length === 0)
        throw new MktError(`Topic "${topic}" has no partition ${options.partition}.`, `It has partitions 0-${offsets.length - 1}.`, 'notFound')
      const from = options.from ?? 'beginning'
      return {
        ends: new Map(wanted.map((o) => [o.partition, BigInt(o.high)])),
        starts: new Map(
          wanted.map((o) => {
            const low = BigInt(o.low)
            const high = BigInt(o.high)
            const wantedStart = options.startOffsets?.get(o.partition) ?? (from === 'beginning' ? low : from === 'end' ? high : from)
            return [o.partition, wantedStart < low ? low : wantedStart > high ? high : wantedStart]
          }),
        ),
      }
    },
    {role: 'consume'},
  )
  if (!options.follow && [...starts].every(([p, start]) => start >= ends.get(p)!)) return {count: 0, stoppedBecause: 'end'}
  if (options.limit === 0) return {count: 0, stoppedBecause: 'limit'}
  const reader = await openPartitionReader(profile, {role: 'consume', topic, starts, ...readerTuning(options)})
  options.onPositioned?.()
  return readRecords(profile, topic, options, reader, starts, ends)
}

function readerTuning(options: ConsumeOptions): {maxWaitMs?: number; maxBytes?: number} {
  return {...(options.maxWaitMs !== undefined ? {maxWaitMs: options.maxWaitMs} : {}), ...(options.maxBytes ? {maxBytes: options.maxBytes} : {})}
}

/** Reads from the reader's positions until the ends were reached (without follow), the limit, or the signal. */
async function readRecords(
  profile: Profile,
  topic: string,
  options: ConsumeOptions,
  reader: PartitionReader,
  starts: Map<number, bigint>,
  ends: Map<number, bigint>,
): Promise<ConsumeResult> {
  const pending = new Set([...starts].filter(([p, start]) => start < ends.get(p)!).map(([p]) => p))
  const registry = options.registry ?? new AvroWireDecoder(profile)
  let count = 0
  let stopped: ConsumeResult['stoppedBecause'] | undefined
  const onAbort = () => (stopped ??= 'signal')
  options.signal?.addEventListener('abort', onAbort)
  if (options.signal?.aborted) onAbort()

  let caughtUp = false
  const catchUp = () => {
    if (caughtUp) return
    caughtUp = true
    options.onCaughtUp?.()
    if (!options.follow) stopped ??= 'end'
  }
  /** Records that a partition was read up to (excluding) nextOffset. */
  const reached = (partition: number, nextOffset: bigint) => {
    if (!pending.has(partition) || nextOffset < ends.get(partition)!) return
    pending.delete(partition)
    if (pending.size === 0) catchUp()
  }
  if (pending.size === 0) catchUp() // nothing to read up to: caught up from the start

  try {
    while (!stopped) {
      for (const item of await reader.next()) {
        if (stopped) break
        if (item.kind === 'eof') {
          // read_committed: the end is the last stable offset, past control records and aborted batches
          if (pending.delete(item.partition) && pending.size === 0) catchUp()
          continue
        }
        const message = item.message
        const key = message.key === undefined || message.key === null ? null : message.key.toString()
        if (options.key === undefined || key === options.key) {
          const decoded = await decodeValue(message.value, registry)
          const headers = headerObject(message.headers)
          options.onRecord({
            topic,
            partition: message.partition,
            offset: String(message.offset),
            timestamp: new Date(message.timestamp ?? 0).toISOString(),
            key,
            value: decoded.value,
            format: decoded.format,
            ...(decoded.schemaId === undefined ? {} : {schemaId: decoded.schemaId}),
            ...(headers ? {headers} : {}),
            ...(decoded.error ? {error: decoded.error} : {}),
          })
          count++
          if (options.limit !== undefined && count >= options.limit) stopped ??= 'limit'
        }
        reached(message.partition, BigInt(message.offset) + 1n)
      }
    }
    return {count, stoppedBecause: stopped}
  } catch (error) {
    throw explainKafkaError(error, profile, {operation: 'read', topic})
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await reader.close()
  }
}

function headerObject(headers: Array<Record<string, Buffer | string>> | undefined): Record<string, string> | undefined {
  if (!headers || headers.length === 0) return undefined
  return Object.fromEntries(headers.flatMap((h) => Object.entries(h).map(([k, v]) => [k, v.toString()])))
}

/** The current end offset of every partition, to read only what is written after this moment. */
export async function endOffsets(profile: Profile, topic: string): Promise<Map<number, bigint>> {
  const offsets = await withAdmin(profile, (admin) => retryRetriable(() => admin.fetchTopicOffsets(topic)), {role: 'consume'})
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]))
}
