import {randomUUID} from 'node:crypto'

import type {Profile} from '../config/schema.js'
import {batchReader, connectConsumer, disconnectConsumer, healingReads, type ConsumedItem} from './consumer-batch.js'
import {MktError} from '../errors.js'
import {withAdmin} from './client.js'
import {explainKafkaError} from './errors.js'
import {RdConsumer, type KafkaConsumer, type Metadata} from './rdkafka.js'
import {rdkafkaConfig, traceRdkafka} from './rd-config.js'
import {requireTopics} from './topics-visible.js'

export interface ReaderOptions {
  role: string
  topic: string
  /** Where to start, per partition; only these partitions are read. */
  starts: Map<number, bigint>
  /** How long a fetch (and one read) waits for new records (ms). */
  maxWaitMs?: number
  /** Upper bound of buffered fetch data (bytes): keeps a long-lived reader's memory small. */
  maxBytes?: number
  batchSize?: number
}

export interface PartitionReader {
  /** The next records and end-of-partition marks, in order; empty when nothing came within maxWaitMs. */
  next(): Promise<ConsumedItem[]>
  close(): Promise<void>
}

/**
 * A reader of fixed partitions from fixed offsets (librdkafka assign): no
 * consumer group, so no rebalance can move it, no committed offset can send it
 * back to the beginning, and it commits nothing. Read committed: records of
 * aborted or open transactions are never delivered.
 */
export async function openPartitionReader(profile: Profile, options: ReaderOptions): Promise<PartitionReader> {
  const {consumer} = await connectReader(profile, options)
  return startReading(consumer, profile, options, options.starts)
}

/**
 * A reader of every partition of a topic from where each ends now: every
 * record written after it returns is read, none from before. One client does
 * it all (the topic's metadata on connecting, then each partition's high
 * watermark), so a command that follows a topic pays for one connection.
 */
export async function openTailReader(profile: Profile, options: Omit<ReaderOptions, 'starts'>): Promise<PartitionReader & {starts: Map<number, bigint>}> {
  const {consumer, metadata} = await connectReader(profile, options)
  const partitions = metadata.topics.find((t) => t.name === options.topic)?.partitions ?? []
  try {
    if (partitions.length === 0) {
      // Not there, or not visible to this principal: the admin client tells which.
      await withAdmin(profile, (admin) => requireTopics(admin, profile, [options.topic], 'read', 'Run `mkt topics list` to see the topics.'), {
        role: options.role,
      })
      throw new MktError(`Topic "${options.topic}" has no partitions yet.`, 'Try again in a moment.', 'unreachable')
    }
    const ends = await Promise.all(partitions.map((p) => highWatermark(consumer, options.topic, p.id)))
    const starts = new Map(partitions.map((p, i) => [p.id, ends[i]!]))
    return {...startReading(consumer, profile, options, starts), starts}
  } catch (error) {
    await disconnectConsumer(consumer)
    throw error instanceof MktError ? error : explainKafkaError(error, profile, {operation: 'read', topic: options.topic})
  }
}

function highWatermark(consumer: KafkaConsumer, topic: string, partition: number): Promise<bigint> {
  return new Promise((resolve, reject) =>
    consumer.queryWatermarkOffsets(topic, partition, 10_000, (error, offsets) => (error ? reject(error) : resolve(BigInt(offsets.highOffset)))),
  )
}

async function connectReader(profile: Profile, options: Omit<ReaderOptions, 'starts'>): Promise<{consumer: KafkaConsumer; metadata: Metadata}> {
  const maxWaitMs = options.maxWaitMs ?? 250
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024
  const consumer: KafkaConsumer = new RdConsumer(
    {
      ...rdkafkaConfig(profile, options.role),
      // librdkafka wants a group id even for assign(); it is never joined nor committed to.
      'group.id': `mkt-reader-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'isolation.level': 'read_committed',
      'enable.partition.eof': true,
      'allow.auto.create.topics': false,
      'fetch.wait.max.ms': maxWaitMs,
      'fetch.max.bytes': Math.max(1024 * 1024, Math.floor(maxBytes / 2)),
      'max.partition.fetch.bytes': Math.max(256 * 1024, Math.floor(maxBytes / 8)),
      'queued.max.messages.kbytes': Math.max(1024, Math.floor(maxBytes / 1024)),
      'fetch.error.backoff.ms': 100,
    } as never,
    {} as never,
  )
  consumer.on('event.error', () => {}) // librdkafka retries broker errors itself
  traceRdkafka(consumer, options.role)
  try {
    return {consumer, metadata: await connectConsumer(consumer, 10_000, options.topic)}
  } catch (error) {
    throw explainKafkaError(error, profile)
  }
}

function startReading(consumer: KafkaConsumer, profile: Profile, options: Omit<ReaderOptions, 'starts'>, starts: Map<number, bigint>): PartitionReader {
  consumer.setDefaultConsumeTimeout(options.maxWaitMs ?? 250)
  // Return as soon as something arrived, not after a full batch or the whole wait.
  consumer.setDefaultIsTimeoutOnlyForFirstMessage(true)
  consumer.assign([...starts].map(([partition, offset]) => ({topic: options.topic, partition, offset: Number(offset)})))
  const read = batchReader(consumer, options.batchSize ?? 1000)
  const next = healingReads(read, options.topic, profile)
  let closing: Promise<void> | undefined
  return {
    next,
    close: () => (closing ??= disconnectConsumer(consumer)),
  }
}
