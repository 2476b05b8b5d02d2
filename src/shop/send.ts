import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {createKafka, explainKafkaError, retryRetriable, withAdmin} from '../kafka/client.js'
import {CompressionTypes} from '../kafka/compression.js'
import type {Message, Producer} from '../kafka/kafkajs.js'
import {presetPartitioner} from '../kafka/partition.js'
import {encodeWire} from '../schema/avro.js'
import {topicValueSchema} from '../schema/subjects.js'
import {CARD_FIELDS, type ChunkResult} from './encode-chunk.js'
import {defaultThreads, EncodePool} from './encode-pool.js'
import {describeOrigin, rejectionFromInput} from './rejections.js'
import {BlockPosition, isLineBlock, type LineBlock, type SourceItem} from './sources.js'

export const SHOP_TOPIC = 'shop-products'
export const DLQ_TOPIC = 'shop-products-dlq'
/** The stage named in this pipeline's DLQ records. */
const STAGE = 'shop-send'

export interface SendOptions {
  topic?: string
  dlqTopic?: string
  /** Fills store_id where a card has none: the sending shop. */
  store?: string
  signal?: AbortSignal
  /** Called at most every progressIntervalMs with running totals. */
  onProgress?: (stats: SendStats) => void
  progressIntervalMs?: number
  /** Called for each rejected record (the CLI prints the first few). */
  onReject?: (where: string, errors: string[]) => void
  /** Cards per chunk: one chunk is encoded on a worker and sent as one produce request (a JSON Lines block is one chunk as read). */
  batchSize?: number
  /** A chunk that has been filling this long is sent as it is (like Kafka's linger.ms): paced input is not held back. */
  lingerMs?: number
  /** Worker threads for parsing, validation and encoding (0: all on the main thread). */
  threads?: number
}

export interface SendStats {
  read: number
  sent: number
  rejected: number
  bytes: number
  elapsedMs: number
  perSecond: number
  interrupted: boolean
  topic: string
  dlqTopic: string
}

/** Checks both topics exist and returns the card topic's partition count. */
async function inspectTopics(profile: Profile, topic: string, dlqTopic: string): Promise<number> {
  return withAdmin(
    profile,
    async (admin) => {
      const existing = new Set(await retryRetriable(() => admin.listTopics()))
      const missing = [topic, dlqTopic].filter((t) => !existing.has(t))
      if (missing.length > 0) {
        throw new MktError(`Topic ${missing.map((t) => `"${t}"`).join(' and ')} does not exist on ${profile.brokers.join(',')}.`, 'Create the platform topics with `mkt topics apply` (or `mkt infra up`), or pass an existing --topic.', 'notFound')
      }
      const metadata = await retryRetriable(() => admin.fetchTopicMetadata({topics: [topic]}))
      return metadata.topics[0]!.partitions.length
    },
    {role: 'shop'},
  )
}

/**
 * Validates, encodes (Avro, Confluent wire format) and produces cards with an
 * idempotent acks=all producer; every invalid or unparsable record goes to the
 * DLQ with its reason and origin. Parsing, validation and encoding run on
 * worker threads in chunks while the main thread reads and produces; at most
 * a few chunks are in flight, so memory stays flat whatever the input size.
 */
export async function sendCards(profile: Profile, items: AsyncIterable<SourceItem | LineBlock> | Iterable<SourceItem | LineBlock>, options: SendOptions = {}): Promise<SendStats> {
  const topic = options.topic ?? SHOP_TOPIC
  const dlqTopic = options.dlqTopic ?? DLQ_TOPIC
  const chunkSize = options.batchSize ?? 1000
  const threads = options.threads ?? defaultThreads()
  // Cards are partitioned by key on the workers against the count at start, like a producer whose
  // metadata has not been refreshed yet: added partitions get no cards from this run.
  const partitions = await inspectTopics(profile, topic, dlqTopic)
  const [cardSchema, dlqSchema] = await Promise.all([topicValueSchema(profile, topic, SHOP_TOPIC), topicValueSchema(profile, dlqTopic, DLQ_TOPIC)])

  const producer: Producer = createKafka(profile, {role: 'shop', retries: 5}).producer({idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: presetPartitioner})
  try {
    await producer.connect()
  } catch (error) {
    throw explainKafkaError(error, profile)
  }
  const pool = new EncodePool(
    {cardSchemaId: cardSchema.id, cardSchema: JSON.stringify(cardSchema.type.schema()), partitions, ...(options.store ? {store: options.store} : {})},
    threads,
  )

  const started = Date.now()
  const stats: SendStats = {read: 0, sent: 0, rejected: 0, bytes: 0, elapsedMs: 0, perSecond: 0, interrupted: false, topic, dlqTopic}
  const refresh = () => {
    stats.elapsedMs = Date.now() - started
    stats.perSecond = stats.elapsedMs > 0 ? Math.round((stats.sent * 1000) / stats.elapsedMs) : 0
    return stats
  }
  let lastProgress = 0
  const progress = () => {
    if (!options.onProgress || Date.now() - lastProgress < (options.progressIntervalMs ?? 250)) return
    lastProgress = Date.now()
    options.onProgress(refresh())
  }

  // Where each file's next block starts: results come back in input order, so blocks are placed as they return.
  const positions = new Map<string, BlockPosition>()
  /** The DLQ records of a chunk's rejects, placed in their file; a block's records are counted as read here. */
  const deadLetters = (chunk: ChunkResult, block: LineBlock | undefined) => {
    let position: BlockPosition | undefined
    if (block) {
      if (block.first || !positions.has(block.file)) positions.set(block.file, new BlockPosition())
      position = positions.get(block.file)!
    }
    const letters = chunk.rejects.map((r) => {
      const origin = position ? position.origin(block!.file, r.origin.line!, r.origin.index) : r.origin
      options.onReject?.(describeOrigin(origin), r.errors)
      return {key: r.productId ?? null, value: encodeWire(dlqSchema.id, dlqSchema.type, rejectionFromInput(STAGE, origin, r.text, r.errors))}
    })
    if (position && chunk.block) {
      position.advance(chunk.block)
      stats.read += chunk.block.records
    }
    return letters
  }

  let inFlight: Promise<void> = Promise.resolve()
  const produce = async (chunk: ChunkResult, block: LineBlock | undefined) => {
    await inFlight // one request at a time: the idempotent producer keeps order per partition
    const view = (start: number, end: number) => Buffer.from(chunk.buffer, start, end - start)
    const letters = deadLetters(chunk, block)
    const {cards} = chunk
    if (cards.length === 0 && letters.length === 0) return
    const messages: Message[] = new Array(cards.length / CARD_FIELDS)
    for (let i = 0, m = 0; i < cards.length; i += CARD_FIELDS, m++) {
      messages[m] = {key: view(cards[i]!, cards[i + 1]!), value: view(cards[i + 1]!, cards[i + 2]!), partition: cards[i + 3]!}
    }
    inFlight = producer
      .sendBatch({
        acks: -1,
        compression: CompressionTypes.LZ4,
        topicMessages: [
          ...(messages.length > 0 ? [{topic, messages}] : []),
          ...(letters.length > 0 ? [{topic: dlqTopic, messages: letters}] : []),
        ],
      })
      .then(() => {
        stats.sent += messages.length
        stats.rejected += letters.length
        stats.bytes += chunk.bytes
        progress()
      })
    // Surface a failure at the next await without an unhandled rejection in between.
    inFlight.catch(() => {})
  }

  // Each chunk is produced as soon as it is encoded and the previous one is acknowledged, in input
  // order; at most a few are outstanding, so memory stays flat and paced input is not held back.
  const maxOutstanding = Math.max(2, threads * 2)
  const outstanding: Array<Promise<void>> = []
  let chain: Promise<void> = Promise.resolve()
  const submit = async (work: SourceItem[] | LineBlock) => {
    const encoded = pool.submit(work)
    encoded.catch(() => {}) // surfaces through the chain
    const block = Array.isArray(work) ? undefined : {...work, bytes: new Uint8Array(0)} // its bytes now belong to the worker
    chain = chain.then(async () => produce(await encoded, block))
    chain.catch(() => {})
    outstanding.push(chain)
    if (outstanding.length >= maxOutstanding) await outstanding.shift()
  }
  let chunk: SourceItem[] = []
  let chunkStarted = 0
  const lingerMs = options.lingerMs ?? 20
  try {
    for await (const item of items) {
      if (options.signal?.aborted) break
      if (isLineBlock(item)) {
        await submit(item)
        continue
      }
      stats.read++
      if (chunk.length === 0) chunkStarted = Date.now()
      chunk.push(item)
      if (chunk.length >= chunkSize || Date.now() - chunkStarted >= lingerMs) {
        const full = chunk
        chunk = []
        await submit(full)
      }
    }
    stats.interrupted = Boolean(options.signal?.aborted)
    if (chunk.length > 0) await submit(chunk)
    await chain
    await inFlight
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    await pool.close()
    await producer.disconnect().catch(() => {})
  }
  return refresh()
}
