import type avro from 'avsc'

import type {Profile} from '../config/schema.js'
import {validateCard} from '../catalog/validate.js'
import {explainKafkaError, retryRetriable, withAdmin} from '../kafka/client.js'
import {partitionForKey} from '../kafka/partition.js'
import {KafkaProducer} from '../kafka/producer.js'
import {requireTopics} from '../kafka/topics-visible.js'
import {encodeWire} from '../schema/avro.js'
import {topicValueSchema} from '../schema/subjects.js'
import {rejectionFromInput, type RejectedRecord} from './rejections.js'
import {DLQ_TOPIC, SHOP_TOPIC} from './send.js'
import type {Origin} from './sources.js'

/** One card's fate in a batch: accepted (acknowledged by Kafka) or rejected with the reasons its DLQ record holds. */
export type CardResult =
  | {index: number; product_id: string; status: 'accepted'; partition: number}
  | {index: number; product_id: string | null; status: 'rejected'; reason: string; errors: string[]}

export interface CardSessionOptions {
  topic?: string
  dlqTopic?: string
  /** The Kafka principal's role the producer is opened as. */
  role?: string
  /** How long Kafka may take to acknowledge a card, retries included (ms). */
  deliveryTimeoutMs?: number
}

/**
 * A long-lived card producer for callers that send small batches one after
 * another (the HTTP gateway): the same validator, Avro encoding, key
 * partitioning and idempotent acks=all producer as `mkt shop send`, with a
 * result per card instead of a file's totals. A batch resolves only once
 * Kafka acknowledged every record of it (cards and DLQ records), or rejects
 * with why not.
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
    const producer = await KafkaProducer.open(profile, {role, deliveryTimeoutMs: options.deliveryTimeoutMs ?? 30_000, lingerMs: 2})
    return new CardSession(producer, profile, topic, dlqTopic, partitions, {id: card.id, type: card.type}, {id: dlq.id, type: dlq.type})
  }

  /**
   * Validates and produces a batch. `store` fills store_id where a card has
   * none; `source` names where the batch came from in its DLQ records (source_file).
   */
  async send(values: unknown[], options: {store?: string; source?: string; stage?: string} = {}): Promise<CardResult[]> {
    const results: CardResult[] = []
    const acks: Array<Promise<void>> = []
    const deliver = (topic: string, message: {key: Buffer | null; value: Buffer; partition?: number}) =>
      new Promise<void>((resolve, reject) => {
        this.producer.produce(topic, message, (error) => (error ? reject(error) : resolve())).catch(reject)
      })
    for (const [index, given] of values.entries()) {
      // The sender's store fills a missing store_id before validation, so such a card is valid.
      const value = options.store && isObject(given) && given.store_id === undefined ? {...given, store_id: options.store} : given
      const checked = validateCard(value)
      if (!checked.ok) {
        const origin: Origin = {index, ...(options.source ? {file: options.source} : {})}
        const record: RejectedRecord = rejectionFromInput(options.stage ?? 'gateway', origin, JSON.stringify(value) ?? '', checked.errors)
        results.push({index, product_id: checked.productId ?? null, status: 'rejected', reason: record.reason, errors: checked.errors})
        acks.push(
          deliver(this.dlqTopic, {key: checked.productId ? Buffer.from(checked.productId) : null, value: encodeWire(this.dlq.id, this.dlq.type, record)}),
        )
        continue
      }
      const card = checked.card
      const key = Buffer.from(card.product_id)
      const partition = partitionForKey(key, this.partitions)
      results.push({index, product_id: card.product_id, status: 'accepted', partition})
      acks.push(deliver(this.topic, {key, value: encodeWire(this.card.id, this.card.type, card), partition}))
    }
    try {
      await Promise.all(acks)
    } catch (error) {
      throw explainKafkaError(error, this.profile)
    }
    return results
  }

  close(): Promise<void> {
    return this.producer.close()
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
