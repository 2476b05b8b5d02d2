import net from 'node:net'
import tls from 'node:tls'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {explainKafkaError} from './client.js'
import {createKafka} from './kafkajs-client.js'
import {ConfigResourceTypes} from './kafkajs.js'

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

export interface TopicReplication {
  topic: string
  minInsyncReplicas: number
  brokers: number
  /** Brokers that accept a connection now (a cluster that lost its controller quorum still lists dead ones). */
  brokersReachable: number
  /**
   * Partitions that cannot take acks=all writes now: no reachable leader, or
   * fewer reachable in-sync replicas than min.insync.replicas.
   */
  unwritable: Array<{partition: number; leader: number; isr: number; reachableIsr: number}>
}

/** True once the socket emits `ready`, false on an error or after timeoutMs; the socket is closed either way. */
function probe(socket: net.Socket, ready: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once(ready, () => done(true))
    socket.once('error', () => done(false))
  })
}

/** Whether something accepts a TCP connection at host:port. */
export function accepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return probe(net.connect({host, port}), 'connect', timeoutMs)
}

/**
 * Which partitions of a topic can take acks=all writes right now, from the
 * brokers' metadata and which brokers answer; rejects after timeoutMs (a
 * cluster without its controller quorum may never answer).
 */
export async function topicReplication(profile: Profile, topic: string, timeoutMs = 8000): Promise<TopicReplication> {
  const admin = createKafka(profile, {role: 'status', retries: 1, connectionTimeout: 2000, requestTimeout: 5000}).admin()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`no metadata answer within ${timeoutMs / 1000} s`)), timeoutMs)),
  )
  try {
    await Promise.race([admin.connect(), deadline])
    const [cluster, metadata, configs] = await Promise.race([
      Promise.all([
        admin.describeCluster(),
        admin.fetchTopicMetadata({topics: [topic]}),
        admin.describeConfigs({includeSynonyms: false, resources: [{type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas']}]}),
      ]),
      deadline,
    ])
    const minIsr = Number(configs.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue ?? 1)
    const partitions = metadata.topics[0]?.partitions ?? []
    const reachable = new Set<number>()
    await Promise.all(cluster.brokers.map(async (b) => (await accepts(b.host, b.port)) && reachable.add(b.nodeId)))
    return {
      topic,
      minInsyncReplicas: minIsr,
      brokers: cluster.brokers.length,
      brokersReachable: reachable.size,
      unwritable: partitions
        .map((p) => ({partition: p.partitionId, leader: p.leader, isr: p.isr.length, reachableIsr: p.isr.filter((id) => reachable.has(id)).length}))
        .filter((p) => p.leader < 0 || !reachable.has(p.leader) || p.reachableIsr < minIsr)
        .sort((a, b) => a.partition - b.partition),
    }
  } finally {
    clearTimeout(timer)
    await admin.disconnect().catch(() => {})
  }
}

/** Whether the listener at host:port completes a TLS handshake (any certificate: only the protocol is asked). */
export function speaksTls(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return probe(tls.connect({host, port, rejectUnauthorized: false, ...(net.isIP(host) ? {} : {servername: host})}), 'secureConnect', timeoutMs)
}

/**
 * A plaintext client on a TLS listener sees only a closed connection or a
 * timeout, which reads as "unreachable". When the profile is plaintext and
 * the first broker answers a TLS handshake, say what is really wrong.
 */
export async function diagnoseUnreachable(error: MktError, profile: Profile): Promise<MktError> {
  if (error.code !== 'unreachable' || profile.tls?.enabled) return error
  const [host, port] = profile.brokers[0]!.split(':') as [string, string]
  if (!(await speaksTls(host, Number(port)))) return error
  return new MktError(
    `The broker at ${profile.brokers[0]} expects TLS, but profile "${profile.name}" connects in plaintext.`,
    'Use a profile with tls.enabled and the cluster CA (`mkt infra up` writes them for the local runtime), or set MKT_TLS=true and MKT_TLS_CA.',
    'authentication',
    {cause: error},
  )
}
