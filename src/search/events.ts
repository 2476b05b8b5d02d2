import {randomUUID} from 'node:crypto'

import type {Profile} from '../config/schema.js'
import {createKafka, explainKafkaError} from '../kafka/client.js'
import {CompressionTypes} from '../kafka/compression.js'
import type {Producer} from '../kafka/kafkajs.js'
import {encodeWire} from '../schema/avro.js'
import {topicValueSchema, type TopicSchema} from '../schema/subjects.js'
import type {SearchOutcome} from './catalog-index.js'
import type {SearchQuery} from './query.js'

export const SEARCHES_TOPIC = 'client-searches'
export const ANONYMOUS = 'anonymous'

/** One search as written to client-searches (compose/schemas/search-event.avsc). */
export interface SearchEvent {
  event_id: string
  user_id: string
  query: string
  category: string | null
  brand: string | null
  min_price: number | null
  max_price: number | null
  in_stock: boolean
  sort: string
  limit: number
  result_ids: string[]
  total_hits: number
  match_mode: string
  latency_ms: number
  served_by: 'indexer' | 'local'
  searched_at: string
}

export function searchEvent(query: SearchQuery, outcome: SearchOutcome, meta: {userId?: string; latencyMs: number; servedBy: SearchEvent['served_by']}): SearchEvent {
  return {
    event_id: randomUUID(),
    user_id: meta.userId ?? ANONYMOUS,
    query: query.text,
    category: query.category ?? null,
    brand: query.brand ?? null,
    min_price: query.minPrice ?? null,
    max_price: query.maxPrice ?? null,
    in_stock: query.inStock ?? false,
    sort: query.sort,
    limit: query.limit,
    result_ids: outcome.hits.map((h) => h.product_id),
    total_hits: outcome.total,
    match_mode: outcome.mode,
    latency_ms: meta.latencyMs,
    served_by: meta.servedBy,
    searched_at: new Date().toISOString(),
  }
}

/**
 * Writes search events in small batches off the query path: emit() only
 * queues; a flush every `intervalMs` produces them (idempotent, acks=all).
 * A failed flush keeps the events for the next one, up to a bound.
 */
export class SearchEventSink {
  private queue: Array<{key: string; value: Buffer}> = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  dropped = 0
  lastError: string | undefined

  private constructor(
    private readonly producer: Producer,
    private readonly schema: TopicSchema,
    private readonly topic: string,
    private readonly intervalMs: number,
    private readonly maxQueued: number,
  ) {}

  static async open(profile: Profile, options: {topic?: string; intervalMs?: number; maxQueued?: number} = {}): Promise<SearchEventSink> {
    const topic = options.topic ?? SEARCHES_TOPIC
    const schema = await topicValueSchema(profile, topic, SEARCHES_TOPIC)
    const producer = createKafka(profile, {role: 'search', retries: 5}).producer({idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false})
    try {
      await producer.connect()
    } catch (error) {
      throw explainKafkaError(error, profile)
    }
    return new SearchEventSink(producer, schema, topic, options.intervalMs ?? 100, options.maxQueued ?? 50_000)
  }

  emit(event: SearchEvent): void {
    if (this.queue.length >= this.maxQueued) {
      this.dropped++ // a broker down for long: keep the service answering, count what could not be kept
      return
    }
    this.queue.push({key: event.user_id, value: encodeWire(this.schema.id, this.schema.type, event)})
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs)
  }

  /** Produces everything queued so far; resolves when it is acknowledged (or failed and re-queued). */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    this.flushing = this.flushing.then(async () => {
      const batch = this.queue
      if (batch.length === 0) return
      this.queue = []
      try {
        await this.producer.send({topic: this.topic, acks: -1, compression: CompressionTypes.LZ4, messages: batch})
        this.lastError = undefined
      } catch (error) {
        this.lastError = (error as Error).message
        this.queue = [...batch, ...this.queue]
        this.timer ??= setTimeout(() => void this.flush(), 1000)
      }
    })
    return this.flushing
  }

  get pending(): number {
    return this.queue.length
  }

  async close(): Promise<void> {
    await this.flush()
    clearTimeout(this.timer)
    await this.producer.disconnect().catch(() => {})
  }
}
