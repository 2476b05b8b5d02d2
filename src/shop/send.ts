import type {Profile} from '../config/schema.js'
import {explainKafkaError, retryRetriable, withAdmin} from '../kafka/client.js'
import {requireTopics} from '../kafka/topics-visible.js'
import {KafkaProducer, type DeliveryCallback} from '../kafka/producer.js'
import type {LibrdKafkaError} from '../kafka/rdkafka.js'
import {encodeWire} from '../schema/avro.js'
import {topicValueSchema} from '../schema/subjects.js'
import {CARD_FIELDS, type ChunkResult} from './encode-chunk.js'
import {defaultThreads, EncodePool} from './encode-pool.js'
import {describeOrigin, rejectionFromInput} from './rejections.js'
import {explainDeliveryFailure, UnacknowledgedLog} from './unacknowledged.js'
import {BlockPosition, isLineBlock, type LineBlock, type SourceItem} from './sources.js'
import {TOPICS} from '../topics/names.js'

export const SHOP_TOPIC = TOPICS.shopProducts
export const DLQ_TOPIC = TOPICS.shopProductsDlq
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
  /** How long Kafka may take to acknowledge a card, retries and leader changes included (ms). */
  deliveryTimeoutMs?: number
  /** Where cards Kafka did not acknowledge are written as JSON Lines (default: under the state dir). */
  unacknowledgedFile?: string
}

export interface SendStats {
  read: number
  /** Cards acknowledged by Kafka (acks=all: by every in-sync replica, at least min.insync.replicas). */
  sent: number
  rejected: number
  /** Valid cards Kafka did not acknowledge (or that were not sent after the first such failure). */
  unacknowledged: number
  /** Those cards, as JSON Lines: `mkt shop send --file` of it completes the set. */
  unacknowledgedFile?: string
  /** Why Kafka did not acknowledge them, one sentence. */
  failure?: string
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
      await requireTopics(
        admin,
        profile,
        [topic, dlqTopic],
        'write',
        'Create the platform topics with `mkt topics apply` (or `mkt infra up`), or pass an existing --topic.',
      )
      const metadata = await retryRetriable(() => admin.fetchTopicMetadata({topics: [topic]}))
      return metadata.topics[0]!.partitions.length
    },
    {role: 'shop'},
  )
}

/**
 * Validates, encodes (Avro, Confluent wire format) and produces cards with an
 * idempotent acks=all producer; every invalid or unparsable record goes to the
 * DLQ with its reason and origin. A card counts as sent only when Kafka
 * acknowledged it; the cards it did not acknowledge (brokers down, too few
 * in-sync replicas) are written to a file to send again, and nothing else is
 * sent after the first such failure. Parsing, validation and encoding run on
 * worker threads in chunks while the main thread reads and produces; at most
 * a few chunks are in flight, so memory stays flat whatever the input size.
 */
export async function sendCards(
  profile: Profile,
  items: AsyncIterable<SourceItem | LineBlock> | Iterable<SourceItem | LineBlock>,
  options: SendOptions = {},
): Promise<SendStats> {
  const topic = options.topic ?? SHOP_TOPIC
  const dlqTopic = options.dlqTopic ?? DLQ_TOPIC
  const chunkSize = options.batchSize ?? 1000
  const threads = options.threads ?? defaultThreads()
  // Cards are partitioned by key on the workers against the count at start, like a producer whose
  // metadata has not been refreshed yet: added partitions get no cards from this run.
  const partitions = await inspectTopics(profile, topic, dlqTopic)
  const [cardSchema, dlqSchema] = await Promise.all([topicValueSchema(profile, topic, SHOP_TOPIC), topicValueSchema(profile, dlqTopic, DLQ_TOPIC)])

  const producer = await KafkaProducer.open(profile, {role: 'shop', deliveryTimeoutMs: options.deliveryTimeoutMs ?? 60_000, lingerMs: 5})
  const pool = new EncodePool(
    {cardSchemaId: cardSchema.id, cardSchema: JSON.stringify(cardSchema.type.schema()), partitions, ...(options.store ? {store: options.store} : {})},
    threads,
  )

  const started = Date.now()
  const stats: SendStats = {read: 0, sent: 0, rejected: 0, unacknowledged: 0, bytes: 0, elapsedMs: 0, perSecond: 0, interrupted: false, topic, dlqTopic}
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

  // Once Kafka fails one card, the rest are not sent but kept with it: re-sending that file completes the set.
  const unacked = new UnacknowledgedLog(options.unacknowledgedFile ?? UnacknowledgedLog.defaultFile(profile.stateDir), cardSchema.type)
  let firstFailure: LibrdKafkaError | undefined
  /** Queues a chunk's cards and DLQ records; resolves once queued, with a promise of their acknowledgements. */
  const produce = async (chunk: ChunkResult, block: LineBlock | undefined): Promise<{acknowledged: Promise<void>}> => {
    const view = (start: number, end: number) => Buffer.from(chunk.buffer, start, end - start)
    const letters = deadLetters(chunk, block)
    const {cards} = chunk
    const total = cards.length / CARD_FIELDS + letters.length
    if (total === 0) return {acknowledged: Promise.resolve()}
    let left = total
    let delivered!: () => void
    const all = new Promise<void>((resolve) => (delivered = resolve))
    const settle = () => {
      if (--left === 0) delivered()
    }
    for (let i = 0; i < cards.length; i += CARD_FIELDS) {
      const key = view(cards[i]!, cards[i + 1]!)
      const value = view(cards[i + 1]!, cards[i + 2]!)
      if (firstFailure) {
        unacked.add(value)
        settle()
        continue
      }
      const onDelivery: DeliveryCallback = (error) => {
        if (error) {
          firstFailure ??= error
          unacked.add(value)
        } else stats.sent++
        settle()
      }
      await producer.produce(topic, {key, value, partition: cards[i + 3]!}, onDelivery)
    }
    for (const letter of letters) {
      if (firstFailure) {
        settle()
        continue
      }
      await producer.produce(dlqTopic, letter, (error) => {
        if (!error) stats.rejected++
        else firstFailure ??= error
        settle()
      })
    }
    stats.bytes += chunk.bytes
    // librdkafka copied every message: the chunk's buffer is free once all are queued; acknowledgements follow.
    void all.then(progress)
    return {acknowledged: all}
  }

  // Each chunk is produced as soon as it is encoded and the previous one is acknowledged, in input
  // order; at most a few are outstanding, so memory stays flat and paced input is not held back.
  const maxOutstanding = Math.max(4, threads * 3)
  const outstanding: Array<Promise<void>> = []
  let chain: Promise<void> = Promise.resolve()
  const submit = async (work: SourceItem[] | LineBlock) => {
    const encoded = pool.submit(work)
    encoded.catch(() => {}) // surfaces through the chain
    const block = Array.isArray(work) ? undefined : {...work, bytes: new Uint8Array(0)} // its bytes now belong to the worker
    // Chunks are queued in input order; their acknowledgements are awaited a few chunks behind.
    const queued = chain.then(async () => produce(await encoded, block))
    chain = queued.then(() => {})
    chain.catch(() => {})
    const acknowledged = queued.then((q) => q.acknowledged)
    acknowledged.catch(() => {})
    outstanding.push(acknowledged)
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
    await Promise.all(outstanding)
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    await pool.close()
    await producer.close()
  }
  if (unacked.count > 0) {
    stats.unacknowledged = unacked.count
    stats.unacknowledgedFile = await unacked.write()
    stats.failure = await explainDeliveryFailure(profile, topic, firstFailure!)
  }
  return refresh()
}
