import type {Profile} from '../config/schema.js'
import {KafkaProducer} from '../kafka/producer.js'
import {encodeWire} from '../schema/avro.js'
import {topicValueSchema, type TopicSchema} from '../schema/subjects.js'

/**
 * Client events (searches, views, recommendation requests) in the Confluent
 * wire format, written in small batches off the caller's path: emit() only
 * queues; a flush every `intervalMs` produces them (idempotent, acks=all). A
 * failed flush keeps the events for the next one, up to a bound.
 */
export class EventSink<E> {
  private queue: Array<{key: string; value: Buffer}> = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  dropped = 0
  lastError: string | undefined

  private constructor(
    private readonly producer: KafkaProducer,
    private readonly schema: TopicSchema,
    readonly topic: string,
    private readonly keyOf: (event: E) => string,
    private readonly intervalMs: number,
    private readonly maxQueued: number,
    private readonly onDrop: (topic: string) => void,
  ) {}

  /** `schemaTopic`: the spec entry whose value schema the events use (for a renamed topic in tests). */
  static async open<E>(
    profile: Profile,
    options: {
      topic: string
      schemaTopic: string
      key: (event: E) => string
      role: string
      intervalMs?: number
      maxQueued?: number
      /** Called for each event dropped because the queue is full (a /metrics counter). */
      onDrop?: (topic: string) => void
    },
  ): Promise<EventSink<E>> {
    // The registry and the brokers are asked at the same time: a short-lived command pays for one round of set-up.
    const [schemaLookup, opening] = await Promise.allSettled([
      topicValueSchema(profile, options.topic, options.schemaTopic),
      KafkaProducer.open(profile, {role: options.role, lingerMs: 0, deliveryTimeoutMs: 30_000}),
    ])
    if (schemaLookup.status === 'rejected') {
      if (opening.status === 'fulfilled') await opening.value.close()
      throw schemaLookup.reason
    }
    if (opening.status === 'rejected') throw opening.reason
    const [schema, producer] = [schemaLookup.value, opening.value]
    return new EventSink<E>(producer, schema, options.topic, options.key, options.intervalMs ?? 100, options.maxQueued ?? 50_000, options.onDrop ?? (() => {}))
  }

  emit(event: E): void {
    if (this.queue.length >= this.maxQueued) {
      this.dropped++ // a broker down for long: keep the caller answering, count what could not be kept
      this.onDrop(this.topic)
      return
    }
    this.queue.push({key: this.keyOf(event), value: encodeWire(this.schema.id, this.schema.type, event)})
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs)
  }

  /** Produces one event now, outside the queue; resolves once Kafka acknowledged it, rejects if it did not. */
  async write(event: E): Promise<void> {
    await this.producer.send(this.topic, [{key: this.keyOf(event), value: encodeWire(this.schema.id, this.schema.type, event)}])
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
        await this.producer.send(this.topic, batch)
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

  /** Flushes, then disconnects; throws if what was emitted could not be written. */
  async close(): Promise<void> {
    await this.flush()
    clearTimeout(this.timer)
    this.timer = undefined
    await this.producer.close().catch(() => {})
    if (this.queue.length > 0) throw new Error(`${this.queue.length} event(s) could not be written to ${this.topic}: ${this.lastError ?? 'unknown error'}`)
  }
}
