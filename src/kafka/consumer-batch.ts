import {setTimeout as sleep} from 'node:timers/promises'

import type {Profile} from '../config/schema.js'
import {debug} from '../log.js'
import {explainKafkaError} from './errors.js'
import {ERR, type EofEvent, type KafkaConsumer, type LibrdKafkaError, type Message, type Metadata} from './rdkafka.js'

const PERMANENT = new Set<number>([
  ERR.ERR_UNKNOWN_TOPIC_OR_PART,
  ERR.ERR__UNKNOWN_TOPIC,
  ERR.ERR__UNKNOWN_PARTITION,
  ERR.ERR_TOPIC_AUTHORIZATION_FAILED,
  ERR.ERR_GROUP_AUTHORIZATION_FAILED,
])

/** One step of a consumer: a record, or the news that a partition was read to its end (read_committed: its last stable offset). */
export type ConsumedItem = {kind: 'message'; message: Message} | {kind: 'eof'; topic: string; partition: number; offset: number}

/**
 * Attaches in-order capture of records and end-of-partition events to a
 * consumer and returns a function that reads the next batch (empty after the
 * consumer's timeout). librdkafka reports both through events emitted before
 * the batch callback, in the order they happened; this keeps that order.
 */
export function batchReader(consumer: KafkaConsumer, size: number): () => Promise<ConsumedItem[]> {
  let items: ConsumedItem[] = []
  consumer.on('data', (message: Message) => items.push({kind: 'message', message}))
  consumer.on('partition.eof', (eof: EofEvent) => items.push({kind: 'eof', topic: eof.topic, partition: eof.partition, offset: eof.offset}))
  return () =>
    new Promise((resolve, reject) => {
      consumer.consume(size, (error) => {
        const batch = items
        items = []
        if (error) reject(error)
        else resolve(batch)
      })
    })
}

/** Connects a consumer, rejecting after timeoutMs. */
export function connectConsumer(consumer: KafkaConsumer, timeoutMs: number, topic?: string): Promise<Metadata> {
  // With a topic, the metadata asked for on connecting is that topic's alone, not the whole cluster's.
  return new Promise((resolve, reject) =>
    consumer.connect({timeout: timeoutMs, ...(topic ? {topic} : {})}, (error, metadata) => (error ? reject(error) : resolve(metadata))),
  )
}

export function disconnectConsumer(consumer: KafkaConsumer): Promise<void> {
  return new Promise((resolve) => {
    if (!consumer.isConnected()) return resolve()
    consumer.disconnect(() => resolve())
  })
}

/**
 * A broker that restarts or moves a leader can surface as a consume error
 * that librdkafka recovers from by itself: such reads return nothing and
 * reading goes on. Only what cannot heal (the topic is gone, access denied,
 * a fatal error) or a minute of nothing but errors is thrown.
 */
export function healingReads(read: () => Promise<ConsumedItem[]>, topic: string, profile: Profile, group?: string): () => Promise<ConsumedItem[]> {
  let failingSince: number | undefined
  return async () => {
    try {
      const items = await read()
      failingSince = undefined
      return items
    } catch (error) {
      const e = error as LibrdKafkaError
      failingSince ??= Date.now()
      if (e.isFatal || PERMANENT.has(e.code) || Date.now() - failingSince > 60_000)
        throw explainKafkaError(error, profile, {operation: 'read', topic, ...(group ? {group} : {})})
      debug('mkt:kafka', `reading ${topic}: ${e.message}; retrying`)
      await sleep(100)
      return []
    }
  }
}
