import type {SchemaRegistry} from '@kafkajs/confluent-schema-registry'

import type {BanTable} from '../bans/table.js'
import type {ProductCard} from '../catalog/card.js'
import type {OutMessage} from '../kafka/producer.js'
import type {Message} from '../kafka/rdkafka.js'
import {encodeWire} from '../schema/avro.js'
import type {TopicSchema} from '../schema/subjects.js'
import type {RejectedRecord} from '../shop/rejections.js'
import {decide} from './decide.js'
import {decodeCard, Poison} from './poison.js'

/** What one batch of input turns into: the records of each output topic and the offsets to commit with them. */
export interface Outgoing {
  passed: OutMessage[]
  events: OutMessage[]
  dlq: OutMessage[]
  /** Next offset to consume per input partition. */
  next: Map<number, number>
  /** Produce timestamps of the input records, for the processing-latency histogram. */
  producedAt: number[]
  counts: {passed: number; bannedProduct: number; bannedSku: number; dlq: number}
}

export interface BatchContext {
  registry: SchemaRegistry
  bans: BanTable
  decisionSchema: TopicSchema
  dlqSchema: TopicSchema
  inputTopic: string
  workerId: string
}

/**
 * Decides every card of a batch: passed cards are forwarded unchanged (key,
 * value bytes, headers, timestamp), each decision becomes an audit event, and
 * poison records go to the DLQ with their topic, partition and offset.
 * Throws RegistryUnavailable (the batch is retried) rather than dead-letter a
 * card the registry could not look up.
 */
export async function decideBatch(messages: Message[], context: BatchContext): Promise<Outgoing> {
  const out: Outgoing = {passed: [], events: [], dlq: [], next: new Map(), producedAt: [], counts: {passed: 0, bannedProduct: 0, bannedSku: 0, dlq: 0}}
  const now = new Date().toISOString()
  const {decisionSchema, dlqSchema} = context
  const event = (fields: {product_id: string | null; sku: string | null; decision: string; reason: string | null; ban_key: string | null}, message: Message) =>
    encodeWire(decisionSchema.id, decisionSchema.type, {
      ...fields,
      source_partition: message.partition,
      source_offset: message.offset,
      decided_at: now,
      worker: context.workerId,
    })
  for (const message of messages) {
    out.next.set(message.partition, message.offset + 1)
    out.producedAt.push(message.timestamp ?? Date.now())
    const key = message.key === undefined || message.key === null ? null : message.key.toString()
    let card: ProductCard
    try {
      card = await decodeCard(context.registry, message.value)
    } catch (error) {
      if (!(error instanceof Poison)) throw error
      const rejection: RejectedRecord = {
        stage: 'filter',
        reason: error.message,
        errors: [error.message],
        original: message.value?.toString('base64') ?? '',
        original_encoding: 'BASE64',
        source_file: null,
        source_line: null,
        source_index: null,
        source_topic: context.inputTopic,
        source_partition: message.partition,
        source_offset: message.offset,
        rejected_at: now,
      }
      out.dlq.push({key, value: encodeWire(dlqSchema.id, dlqSchema.type, rejection)})
      out.events.push({key, value: event({product_id: key, sku: null, decision: 'REJECTED', reason: error.message, ban_key: null}, message)})
      out.counts.dlq++
      continue
    }
    const verdict = decide(card, context.bans)
    if (verdict.decision === 'PASSED') {
      out.passed.push({
        key: message.key ?? null,
        value: message.value,
        ...(message.timestamp ? {timestamp: message.timestamp} : {}),
        ...(message.headers?.length ? {headers: message.headers} : {}),
      })
      out.counts.passed++
    } else if (verdict.decision === 'BANNED_PRODUCT') out.counts.bannedProduct++
    else out.counts.bannedSku++
    out.events.push({
      key: card.product_id,
      value: event(
        {
          product_id: card.product_id,
          sku: card.sku,
          decision: verdict.decision,
          reason: verdict.decision === 'PASSED' ? null : verdict.ban.reason,
          ban_key: verdict.decision === 'PASSED' ? null : verdict.ban.key,
        },
        message,
      ),
    })
  }
  return out
}
