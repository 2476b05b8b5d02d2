import type {Profile} from '../../src/config/schema.js'
import {withAdmin} from '../../src/kafka/client.js'
import {waitForLeaders} from '../../src/topics/cluster.js'

/** A fresh topic per test, so tests on the shared runtime never see each other's records. */
export async function freshTopic(profile: Profile, prefix: string, partitions = 3): Promise<string> {
  const topic = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  await withAdmin(profile, async (admin) => {
    await admin.createTopics({topics: [{topic, numPartitions: partitions, replicationFactor: 1}]})
    await waitForLeaders(admin, [topic], 1)
  })
  return topic
}
