import type {Profile} from '../../src/config/schema.js'
import {retryRetriable, withAdmin} from '../../src/kafka/client.js'
import {KafkaProducer} from '../../src/kafka/producer.js'
import {openPartitionReader} from '../../src/kafka/reader.js'

export interface Record_ {
  key: string | null
  value: Buffer | null
  partition: number
  offset: string
}

/** Reads a topic from the beginning (read committed, every partition) until `done` says enough, or the timeout. */
export async function readTopic(profile: Profile, topic: string, done: (records: Record_[]) => boolean, timeoutMs = 30_000): Promise<Record_[]> {
  const offsets = await withAdmin(profile, (admin) => retryRetriable(() => admin.fetchTopicOffsets(topic)))
  const reader = await openPartitionReader(profile, {role: 'test', topic, starts: new Map(offsets.map((o) => [o.partition, BigInt(o.low)]))})
  const records: Record_[] = []
  const deadline = Date.now() + timeoutMs
  try {
    while (!done(records) && Date.now() < deadline) {
      for (const item of await reader.next()) {
        if (item.kind !== 'message') continue
        const m = item.message
        records.push({key: m.key === undefined || m.key === null ? null : m.key.toString(), value: m.value, partition: m.partition, offset: String(m.offset)})
      }
    }
  } finally {
    await reader.close()
  }
  return records
}

export async function produce(profile: Profile, topic: string, messages: Array<{key: string; value: string | Buffer}>): Promise<void> {
  const producer = await KafkaProducer.open(profile, {role: 'test', lingerMs: 0})
  try {
    await producer.send(
      topic,
      messages.map((m) => ({key: m.key, value: Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value)})),
    )
  } finally {
    await producer.close()
  }
}
