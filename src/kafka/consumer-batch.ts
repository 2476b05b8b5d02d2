import type {EofEvent, KafkaConsumer, Message} from './rdkafka.js'

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
export function connectConsumer(consumer: KafkaConsumer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => consumer.connect({timeout: timeoutMs}, (error) => (error ? reject(error) : resolve())))
}

export function disconnectConsumer(consumer: KafkaConsumer): Promise<void> {
  return new Promise((resolve) => {
    if (!consumer.isConnected()) return resolve()
    consumer.disconnect(() => resolve())
  })
}
