import type {Profile} from '../../src/config/schema.js'
import {retryRetriable, withAdmin} from '../../src/kafka/client.js'
import {waitForLeaders} from '../../src/topics/cluster.js'

/** A fresh topic per test, so tests on the shared runtime never see each other's records. */
export async function freshTopic(profile: Profile, prefix: string, partitions = 3, configs: Record<string, string> = {}): Promise<string> {
  const topic = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  await withAdmin(profile, async (admin) => {
    await admin.createTopics({topics: [{topic, numPartitions: partitions, replicationFactor: 1, configEntries: Object.entries(configs).map(([name, value]) => ({name, value}))}]})
    await waitForLeaders(admin, [topic], 1)
  })
  return topic
}

/** Records of the topic that the group has not committed yet. */
export async function groupLag(profile: Profile, groupId: string, topic: string): Promise<number> {
  return withAdmin(profile, async (admin) => {
    const ends = await retryRetriable(() => admin.fetchTopicOffsets(topic))
    const [committed] = await retryRetriable(() => admin.fetchOffsets({groupId, topics: [topic]}))
    return ends.reduce((sum, end) => {
      const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
      return sum + Number(end.high) - Math.max(0, at)
    }, 0)
  })
}

/** Waits until the group has committed offsets at the end of every partition of the topic. */
export async function waitForCaughtUp(profile: Profile, groupId: string, topic: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const lag = await groupLag(profile, groupId, topic)
    if (lag === 0) return
    if (Date.now() > deadline) throw new Error(`group ${groupId} still has lag ${lag} on ${topic}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
