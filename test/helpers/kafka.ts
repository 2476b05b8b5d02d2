import type {Profile} from '../../src/config/schema.js'
import {createKafka} from '../../src/kafka/client.js'

export interface Record_ {
  key: string | null
  value: Buffer | null
  partition: number
  offset: string
}

/** Reads a topic from the beginning until `done` says enough (or the timeout), with a fresh group. */
export async function readTopic(profile: Profile, topic: string, done: (records: Record_[]) => boolean, timeoutMs = 30_000): Promise<Record_[]> {
  const consumer = createKafka(profile, {role: 'test'}).consumer({groupId: `test-${topic}-${Date.now()}-${Math.random()}`})
  const records: Record_[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({topic, fromBeginning: true})
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), timeoutMs)
      consumer
        .run({
          eachMessage: async ({message, partition}) => {
            records.push({key: message.key?.toString() ?? null, value: message.value, partition, offset: message.offset})
            if (done(records)) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return records
}

export async function produce(profile: Profile, topic: string, messages: Array<{key: string; value: string | Buffer}>): Promise<void> {
  const producer = createKafka(profile, {role: 'test'}).producer({idempotent: true})
  await producer.connect()
  try {
    await producer.send({topic, acks: -1, messages})
  } finally {
    await producer.disconnect()
  }
}
