import type {Profile} from '../../src/config/schema.js'
import {withAdmin} from '../../src/kafka/client.js'
import {consumerGroupLag, waitForGroup} from '../../src/kafka/lag.js'
import {waitForLeaders} from '../../src/topics/cluster.js'

/** A fresh topic per test, so tests on the shared runtime never see each other's records. */
export async function freshTopic(profile: Profile, prefix: string, partitions = 3, configs: Record<string, string> = {}, replication = 1): Promise<string> {
  const topic = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  await withAdmin(profile, async (admin) => {
    await admin.createTopics({waitForLeaders: false, topics: [{topic, numPartitions: partitions, replicationFactor: replication, configEntries: Object.entries(configs).map(([name, value]) => ({name, value}))}]})
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
