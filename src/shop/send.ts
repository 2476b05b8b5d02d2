import type {ProductCard} from '../catalog/card.js'
import {validateCard, type Validation} from '../catalog/validate.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {createKafka, explainKafkaError, retryRetriable} from '../kafka/client.js'
import {CompressionTypes, registerLz4} from '../kafka/compression.js'
import type {Producer} from '../kafka/kafkajs.js'
import {WireEncoder} from '../schema/avro.js'
import {topicValueSchema} from '../schema/subjects.js'
import {describeOrigin, rejectionFromInput} from './rejections.js'
import {originalText, type SourceItem} from './sources.js'

export const SHOP_TOPIC = 'shop-products'
export const DLQ_TOPIC = 'shop-products-dlq'

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
  /** Cards per produce request; kafkajs sends one request per call. */
  batchSize?: number
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

interface Batch {
  cards: Array<{key: string; value: Buffer}>
  rejects: Array<{key: string | null; value: Buffer}>
  bytes: number
}

const emptyBatch = (): Batch => ({cards: [], rejects: [], bytes: 0})

async function assertTopicsExist(profile: Profile, topics: string[]): Promise<void> {
  const admin = createKafka(profile, {role: 'shop'}).admin()
  try {
    await admin.connect()
    const existing = new Set(await retryRetriable(() => admin.listTopics()))
    const missing = topics.filter((t) => !existing.has(t))
    if (missing.length > 0) {
      throw new MktError(`Topic ${missing.map((t) => `"${t}"`).join(' and ')} does not exist on ${profile.brokers.join(',')}.`, 'Create the platform topics with `mkt topics apply` (or `mkt infra up`), or pass an existing --topic.', 'notFound')
    }
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

/**
 * Validates, encodes (Avro, Confluent wire format) and produces cards with an
 * idempotent acks=all producer; every invalid or unparsable record goes to the
 * DLQ with its reason and origin. The next batch is built while the previous
 * one is in flight, and memory stays flat whatever the input size.
 */
export async function sendCards(profile: Profile, items: AsyncIterable<SourceItem> | Iterable<SourceItem>, options: SendOptions = {}): Promise<SendStats> {
  const topic = options.topic ?? SHOP_TOPIC
  const dlqTopic = options.dlqTopic ?? DLQ_TOPIC
  const batchSize = options.batchSize ?? 2000
  await assertTopicsExist(profile, [topic, dlqTopic])
  const [cardSchema, dlqSchema] = await Promise.all([topicValueSchema(profile, topic, SHOP_TOPIC), topicValueSchema(profile, dlqTopic, DLQ_TOPIC)])

  const cards = new WireEncoder(cardSchema.id, cardSchema.type)
  const rejections = new WireEncoder(dlqSchema.id, dlqSchema.type)
  registerLz4()
  const producer: Producer = createKafka(profile, {role: 'shop', retries: 5}).producer({idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false})
  try {
    await producer.connect()
  } catch (error) {
    throw explainKafkaError(error, profile)
  }

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

  let inFlight: Promise<void> = Promise.resolve()
  const flush = async (batch: Batch) => {
    await inFlight // one request at a time: the idempotent producer keeps order per partition
    if (batch.cards.length === 0 && batch.rejects.length === 0) return
    inFlight = producer
      .sendBatch({
        acks: -1,
        compression: CompressionTypes.LZ4,
        topicMessages: [
          ...(batch.cards.length > 0 ? [{topic, messages: batch.cards}] : []),
          ...(batch.rejects.length > 0 ? [{topic: dlqTopic, messages: batch.rejects}] : []),
        ],
      })
      .then(() => {
        stats.sent += batch.cards.length
        stats.rejected += batch.rejects.length
        stats.bytes += batch.bytes
        progress()
      })
    // Surface a failure at the next await without an unhandled rejection in between.
    inFlight.catch(() => {})
  }

  let batch = emptyBatch()
  try {
    for await (const item of items) {
      if (options.signal?.aborted) {
        stats.interrupted = true
        break
      }
      stats.read++
      const result: Validation = item.parseError === undefined ? validateCard(item.value) : {ok: false, errors: [`(record): ${item.parseError}`]}
      if (result.ok) {
        const card: ProductCard = options.store && !(item.value as {store_id?: unknown}).store_id ? {...result.card, store_id: options.store} : result.card
        const value = cards.encode(card)
        batch.cards.push({key: card.product_id, value})
        batch.bytes += value.length
      } else {
        const rejection = rejectionFromInput('shop-send', item.origin, originalText(item), result.errors)
        batch.rejects.push({key: result.productId ?? null, value: rejections.encode(rejection)})
        options.onReject?.(describeOrigin(item.origin), result.errors)
      }
      if (batch.cards.length + batch.rejects.length >= batchSize || batch.bytes >= 4 * 1024 * 1024) {
        await flush(batch)
        batch = emptyBatch()
      }
    }
    if (options.signal?.aborted) stats.interrupted = true
    await flush(batch)
    await inFlight
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    await producer.disconnect().catch(() => {})
  }
  return refresh()
}
