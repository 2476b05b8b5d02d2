import {setTimeout as sleep} from 'node:timers/promises'
import {createKafka} from '../kafka/kafkajs-client.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import type {ServiceNode} from './graph.js'
import {deathCause, isAlive, logFile, processState, tailFile, type ProcessRecord} from './process.js'

async function diedError(node: ServiceNode, record: ProcessRecord | undefined): Promise<MktError> {
  const log = logFile(node.dataDir)
  const cause = record ? ` (${await deathCause(record)})` : ''
  return new MktError(
    `${node.name} exited while starting${cause}. The end of its log (${log}):\n${tailFile(log, 25)}`,
    `Fix the cause shown above, then run \`mkt infra up\` again; \`mkt infra logs ${node.name}\` shows the whole log.`,
    'infra',
  )
}

function timeoutError(node: ServiceNode, seconds: number, lastError: string): MktError {
  const log = logFile(node.dataDir)
  return new MktError(
    `${node.name} did not become ready within ${seconds}s (last check: ${lastError}). The end of its log:\n${tailFile(log, 15)}`,
    `See \`mkt infra logs ${node.name}\`; a slow machine may need --timeout.`,
    'infra',
  )
}

/** Polls check() until it returns true, failing early if a watched process dies. */
export async function waitFor(nodes: ServiceNode[], timeoutMs: number, check: () => Promise<true | string>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: string
  for (;;) {
    for (const node of nodes) {
      if (isAlive(processState(node.dataDir, node.name).state)) continue
      // Looked at once more before it is called dead: Prometheus was once taken for another program by a read of
      // /proc/PID/cmdline right after its start (a bench run failed on it; the same pid ran Prometheus a second later).
      await sleep(300)
      const {state, record} = processState(node.dataDir, node.name)
      if (!isAlive(state)) throw await diedError(node, record)
    }
    const result = await check().catch((error: Error & {fatal?: boolean}) => {
      if (error.fatal) throw error
      return error.message
    })
    if (result === true) return
    last = result
    if (Date.now() > deadline) throw timeoutError(nodes[0]!, Math.round(timeoutMs / 1000), last)
    await sleep(500)
  }
}

/** A broker that answers but refuses every SCRAM login, the admin's included, for this long (at most a quarter of the wait) is not going to accept them. */
export const REFUSED_LOGINS_MS = 20_000

/** Thrown by waitForKafka when the broker has been refusing every login for REFUSED_LOGINS_MS. */
export class LoginsRefused extends Error {}

const isAuthFailure = (error: Error) => /SASL.*authentication failed|invalid credentials|Authentication failed/i.test(`${error.name} ${error.message}`)

/** Ready when every broker (or `expected` of them) has registered with the quorum and a controller is elected. */
export async function waitForKafka(
  profile: Profile,
  brokers: ServiceNode[],
  timeoutMs: number,
  expected = brokers.length,
): Promise<{clusterId: string; controller: number}> {
  let info = {clusterId: '', controller: -1}
  let refusedSince: number | undefined
  await waitFor(brokers, timeoutMs, async () => {
    const admin = createKafka(profile, {role: 'infra', retries: 0, connectionTimeout: 1000}).admin()
    try {
      await admin.connect()
      const cluster = await admin.describeCluster()
      refusedSince = undefined
      if (cluster.brokers.length < expected) return `${cluster.brokers.length}/${expected} brokers registered`
      if (cluster.controller === null || cluster.controller < 0) return 'no active controller yet'
      info = {clusterId: cluster.clusterId, controller: cluster.controller}
      return true
    } catch (error) {
      if (!isAuthFailure(error as Error)) throw error
      // Right after a start a broker may refuse logins for a moment; one that keeps refusing its own admin is stuck.
      refusedSince ??= Date.now()
      const window = Math.min(REFUSED_LOGINS_MS, timeoutMs / 4)
      if (Date.now() - refusedSince > window)
        throw Object.assign(new LoginsRefused(`${brokers.map((b) => b.name).join(', ')} refused every login for ${Math.round(window / 1000)}s`), {
          fatal: true,
        })
      throw error
    } finally {
      await admin.disconnect().catch(() => {})
    }
  })
  return info
}

export async function waitForHttp(node: ServiceNode, url: string, timeoutMs: number): Promise<void> {
  await waitFor([node], timeoutMs, async () => {
    const response = await fetch(url, {signal: AbortSignal.timeout(2000)})
    return response.ok ? true : `HTTP ${response.status}`
  })
}

/**
 * MirrorMaker 2 is ready when its heartbeat connector has written to the
 * target since `since`: the flow's worker runs, reaches both clusters and is
 * allowed to write (a missing grant kills its herder while the JVM lives on).
 */
export async function waitForHeartbeat(node: ServiceNode, target: Profile, since: number, timeoutMs: number): Promise<void> {
  await waitFor([node], timeoutMs, async () => {
    const admin = createKafka(target, {role: 'infra', retries: 0, connectionTimeout: 1000}).admin()
    try {
      await admin.connect()
      const topics = await admin.listTopics()
      if (!topics.includes('heartbeats')) return 'no heartbeats topic on the analytics cluster yet'
      const [after, ends] = await Promise.all([admin.fetchTopicOffsetsByTimestamp('heartbeats', since), admin.fetchTopicOffsets('heartbeats')])
      const fresh = after.some((p) => {
        const end = ends.find((e) => e.partition === p.partition)
        return end !== undefined && Number(p.offset) >= 0 && Number(p.offset) < Number(end.high)
      })
      return fresh ? true : 'no heartbeat since it started'
    } finally {
      await admin.disconnect().catch(() => {})
    }
  })
}
