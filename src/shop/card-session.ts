import type avro from 'avsc'

import type {Profile} from '../config/schema.js'
import {explainKafkaError, retryRetriable, withAdmin} from '../kafka/client.js'
import {KafkaProducer, type DeliveryCallback} from '../kafka/producer.js'
import {requireTopics} from '../kafka/topics-visible.js'
import {encodeWire} from '../schema/avro.js'
import {topicValueSchema} from '../schema/subjects.js'
import {encodeBatch, type BatchRefusal, type BatchRules, type CardResult, type EncodedBatch} from './card-batch.js'
import {CARD_FIELDS} from './encode-chunk.js'
import {rejectionFromInput} from './rejections.js'
import {DLQ_TOPIC, SHOP_TOPIC} from './send.js'

export type {BatchRefusal, BatchRules, CardResult} from './card-batch.js'

export interface CardSessionOptions {
  topic?: string
  dlqTopic?: string
  /** The Kafka principal's role the producer is opened as. */
  role?: string
  /** How long Kafka may take to acknowledge a card, retries included (ms). */
  deliveryTimeoutMs?: number
  /**
   * How long librdkafka waits to fill a batch (ms). Requests that arrive together share batches, which
   * costs the broker less CPU per card: 5 ms (as `shop send`) against 2 took 100-card POSTs on 8
   * connections from 11,900 to 22,800 cards/s on 2 cores (bench:gateway).
   */
  lingerMs?: number
}

export interface BatchSendOptions extends Partial<BatchRules> {
  /** Where the batch came from, in its DLQ records (source_file). */
  source?: string
  stage?: string
}

/** A batch's outcome: refused as a whole (nothing sent), or each card's result once Kafka acknowledged them all. */
export type BatchOutcome = {refused: BatchRefusal} | {results: CardResult[]}

/**
 * A long-lived card producer for callers that send small batches one after
 * another (the HTTP gateway): the same validator, Avro encoding, key
 * partitioning and idempotent acks=all producer as `mkt shop send`, with a
 * result per card instead of a file's totals. A batch is parsed, validated
 * and encoded on the calling thread: handing 100 cards to a worker thread
 * (as `shop send` does with its chunks of 1000) cost more CPU than it saved
 * (bench:gateway on 2 cores: 19,600 against 23,600 cards/s). A batch
 * resolves only once Kafka acknowledged every record of it (cards and DLQ
 * records), or rejects with why not.
 */
export class CardSession {
  private constructor(
    private readonly producer: KafkaProducer,
    private readonly profile: Profile,
    private readonly topic: string,
    private readonly dlqTopic: string,
    private readonly partitions: number,
    private readonly card: {id: number; type: avro.Type},
    private readonly dlq: {id: number; type: avro.Type},
  ) {}

  static async open(profile: Profile, options: CardSessionOptions = {}): Promise<CardSession> {
    const topic = options.topic ?? SHOP_TOPIC
    const dlqTopic = options.dlqTopic ?? DLQ_TOPIC
    const role = options.role ?? 'shop'
    const partitions = await withAdmin(
      profile,
      async (admin) => {
        await requireTopics(admin, profile, [topic, dlqTopic], 'write', 'Create the platform topics with `mkt topics apply` (or `mkt infra up`).')
        return (await retryRetriable(() => admin.fetchTopicMetadata({topics: [topic]}))).topics[0]!.partitions.length
      },
      {role},
    )
    const [card, dlq] = await Promise.all([topicValueSchema(profile, topic, SHOP_TOPIC), topicValueSchema(profile, dlqTopic, DLQ_TOPIC)])
    const producer = await KafkaProducer.open(profile, {role, deliveryTimeoutMs: options.deliveryTimeoutMs ?? 30_000, lingerMs: options.lingerMs ?? 5})
    return new CardSession(producer, profile, topic, dlqTopic, partitions, {id: card.id, type: card.type}, {id: dlq.id, type: dlq.type})
  }

  /** Parsed cards (each a value as JSON would give it). */
  send(values: unknown[], options: BatchSendOptions = {}): Promise<BatchOutcome> {
    return this.sendBatch(values, options)
  }

  /** A request body: one card or an array of cards as JSON (UTF-8) bytes. */
  sendJson(body: Uint8Array, options: BatchSendOptions = {}): Promise<BatchOutcome> {
    return this.sendBatch(body, options)
  }

  private async sendBatch(input: Uint8Array | unknown[], options: BatchSendOptions): Promise<BatchOutcome> {
    const rules: BatchRules = {
      maxCards: options.maxCards ?? Number.POSITIVE_INFINITY,
      ...(options.store ? {store: options.store} : {}),
      ...(options.onlyStore !== undefined ? {onlyStore: options.onlyStore} : {}),
    }
    const batch = encodeBatch(input, rules, {cardSchemaId: this.card.id, cardType: this.card.type, partitions: this.partitions})
    if (batch.refused) return {refused: batch.refused}
    await this.produce(batch, options)
    return {results: batch.results}
  }

  /** Queues the batch's cards and DLQ records; resolves once Kafka acknowledged them all, rejects with the first failure. */
  private async produce(batch: EncodedBatch, options: BatchSendOptions): Promise<void> {
    const {cards, rejects} = batch
    let left = cards.length / CARD_FIELDS + rejects.length
    if (left === 0) return
    let failure: unknown
    let done!: () => void
    const acknowledged = new Promise<void>((resolve) => (done = resolve))
    const onDelivery: DeliveryCallback = (error) => {
      failure ??= error ?? undefined
      if (--left === 0) done()
    }
    const view = (start: number, end: number) => batch.buffer!.subarray(start, end)
    try {
      for (let i = 0; i < cards.length; i += CARD_FIELDS)
        await this.producer.produce(
          this.topic,
          {key: view(cards[i]!, cards[i + 1]!), value: view(cards[i + 1]!, cards[i + 2]!), partition: cards[i + 3]!},
          onDelivery,
        )
      for (const reject of rejects) {
        const origin = {index: reject.index, ...(options.source ? {file: options.source} : {})}
        const record = rejectionFromInput(options.stage ?? 'gateway', origin, reject.text, reject.errors)
        await this.producer.produce(
          this.dlqTopic,
          {key: reject.productId ? Buffer.from(reject.productId) : null, value: encodeWire(this.dlq.id, this.dlq.type, record)},
          onDelivery,
        )
      }
      await acknowledged
    } catch (error) {
      throw explainKafkaError(error, this.profile)
    }
    if (failure) throw explainKafkaError(failure, this.profile)
  }

  close(): Promise<void> {
    return this.producer.close()
  }
}
