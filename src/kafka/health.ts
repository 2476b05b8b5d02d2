import type {Profile} from '../config/schema.js'
import {createKafka, explainKafkaError} from './client.js'

export interface KafkaHealth {
  bootstrap: string[]
  reachable: boolean
  clusterId?: string
  controller?: number
  brokers?: Array<{nodeId: number; host: string; port: number}>
  error?: string
}

/** What the profile's brokers say about the cluster, without throwing. */
export async function kafkaHealth(profile: Profile): Promise<KafkaHealth> {
  const admin = createKafka(profile, {role: 'status', retries: 0, connectionTimeout: 2000, requestTimeout: 5000}).admin()
  try {
    await admin.connect()
    const cluster = await admin.describeCluster()
    return {
      bootstrap: profile.brokers,
      reachable: true,
      clusterId: cluster.clusterId,
      controller: cluster.controller ?? -1,
      brokers: cluster.brokers.map((b) => ({nodeId: b.nodeId, host: b.host, port: b.port})).sort((a, b) => a.nodeId - b.nodeId),
    }
  } catch (error) {
    return {bootstrap: profile.brokers, reachable: false, error: (explainKafkaError(error, profile) as Error).message}
  } finally {
    await admin.disconnect().catch(() => {})
  }
}
