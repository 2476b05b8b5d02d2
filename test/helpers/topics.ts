import {randomUUID} from 'node:crypto'

import type {Profile} from '../../src/config/schema.js'
import {connectConsumer, disconnectConsumer} from '../../src/kafka/consumer-batch.js'
import {withAdmin} from '../../src/kafka/client.js'
import {consumerGroupLag, waitForGroup} from '../../src/kafka/lag.js'
import {RdConsumer} from '../../src/kafka/rdkafka.js'
import {rdkafkaConfig} from '../../src/kafka/rd-config.js'
import {waitForLeaders} from '../../src/topics/cluster.js'

/** A fresh topic per test, so tests on the shared runtime never see each other's records. */
export async function freshTopic(profile: Profile, prefix: string, partitions = 3, configs: Record<string, string> = {}, replication = 1): Promise<string> {
  const topic = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  await withAdmin(profile, async (admin) => {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {topic, numPartitions: partitions, replicationFactor: replication, configEntries: Object.entries(configs).map(([name, value]) => ({name, value}))},
      ],
    })
    await waitForLeaders(admin, [topic], replication)
  })
  return topic
}

/** Records of the topic that the group has not committed yet. */
export const groupLag = consumerGroupLag

/** Waits until the group has committed offsets at the end of every partition of the topic. */
export function waitForCaughtUp(profile: Profile, groupId: string, topic: string, stallMs = 60_000): Promise<void> {
  return waitForGroup(profile, groupId, topic, {stallMs})
}

/** The end offset of every partition as a read_committed (LSO) or read_uncommitted (high watermark) client sees it. */
async function watermarks(profile: Profile, topic: string, partitions: number[], isolation: 'read_committed' | 'read_uncommitted'): Promise<number[]> {
  const consumer = new RdConsumer(
    {...rdkafkaConfig(profile, 'consume'), 'group.id': `it-watermarks-${randomUUID()}`, 'isolation.level': isolation} as never,
    {} as never,
  )
  await connectConsumer(consumer, 10_000)
  try {
    return await Promise.all(
      partitions.map(
        (partition) =>
          new Promise<number>((resolve, reject) =>
            consumer.queryWatermarkOffsets(topic, partition, 10_000, (error, offsets) => (error ? reject(error) : resolve(offsets.highOffset))),
          ),
      ),
    )
  } finally {
    await disconnectConsumer(consumer)
  }
}

/**
 * Waits until no transaction is open on the topic (last stable offset = high
 * watermark everywhere). A SIGKILLed transactional worker leaves its open
 * transaction behind until the coordinator aborts it (transaction.timeout.ms
 * plus the broker's cleanup interval); until then read_committed readers stop
 * at it and the records committed after it are not visible yet.
 */
export async function waitForSettled(profile: Profile, topic: string, timeoutMs = 60_000): Promise<void> {
  const partitions = await withAdmin(profile, async (admin) => (await admin.fetchTopicOffsets(topic)).map((p) => p.partition))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const [stable, high] = await Promise.all([
      watermarks(profile, topic, partitions, 'read_committed'),
      watermarks(profile, topic, partitions, 'read_uncommitted'),
    ])
    if (stable.every((offset, i) => offset === high[i])) return
    if (Date.now() > deadline)
      throw new Error(`${topic} still has open transactions after ${timeoutMs} ms: stable ${stable.join(',')} < high ${high.join(',')}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}
