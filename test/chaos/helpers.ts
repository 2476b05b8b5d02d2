import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import type {Profile} from '../../src/config/schema.js'
import {localRuntimeStatus, restartService, signalService} from '../../src/infra/index.js'
import {retryRetriable, withAdmin} from '../../src/kafka/client.js'
import {openPartitionReader} from '../../src/kafka/reader.js'
import {generateCards} from '../../src/shop/index.js'
import {freshTopic} from '../helpers/topics.js'

/** A lane of fresh topics as the platform has them on three brokers: replication 3, min.insync.replicas 2. */
export async function chaosLane(profile: Profile, name: string) {
  const replicated = {'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false'}
  const [input, output, events, dlq, bans] = await Promise.all([
    freshTopic(profile, `${name}-in`, 6, replicated, 3),
    freshTopic(profile, `${name}-out`, 6, replicated, 3),
    freshTopic(profile, `${name}-events`, 3, replicated, 3),
    freshTopic(profile, `${name}-dlq`, 3, replicated, 3),
    freshTopic(profile, `${name}-bans`, 1, {...replicated, 'cleanup.policy': 'compact'}, 3),
  ])
  return {input, output, events, dlq, bans, group: `${name}-${Date.now()}`}
}
export type Lane = Awaited<ReturnType<typeof chaosLane>>

export function filterArgs(lane: Lane, extra: string[] = []): string[] {
  return [
    'filter',
    'start',
    '--group',
    lane.group,
    '--input-topic',
    lane.input,
    '--output-topic',
    lane.output,
    '--events-topic',
    lane.events,
    '--dlq-topic',
    lane.dlq,
    '--bans-topic',
    lane.bans,
    '--metrics-port',
    '0',
    ...extra,
  ]
}

/** count cards as JSON Lines in a temp file (the generator's realistic Russian cards), and their ids. */
export function cardsFile(count: number, seed: number, firstId: number): {file: string; ids: string[]} {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-cards-')), `cards-${seed}.jsonl`)
  const out = fs.openSync(file, 'w')
  const ids: string[] = []
  let buffer = ''
  for (const card of generateCards({count, seed, firstId})) {
    ids.push(card.product_id)
    buffer += `${JSON.stringify(card)}\n`
    if (buffer.length > 1 << 20) {
      fs.writeSync(out, buffer)
      buffer = ''
    }
  }
  fs.writeSync(out, buffer)
  fs.closeSync(out)
  return {file, ids}
}

/** How many times each key occurs in a topic, read committed, up to its current end. */
export async function keyCounts(profile: Profile, topic: string): Promise<Map<string, number>> {
  const offsets = await withAdmin(profile, (admin) => retryRetriable(() => admin.fetchTopicOffsets(topic), 20, 500))
  const pending = new Set(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => o.partition))
  const counts = new Map<string, number>()
  const reader = await openPartitionReader(profile, {role: 'test', topic, starts: new Map(offsets.map((o) => [o.partition, BigInt(o.low)]))})
  const deadline = Date.now() + 120_000
  try {
    while (pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} did not reach its end in 120 s (partitions left: ${[...pending].join(', ')})`)
      for (const item of await reader.next()) {
        if (item.kind === 'eof') pending.delete(item.partition)
        else {
          const key = item.message.key?.toString() ?? '(null)'
          counts.set(key, (counts.get(key) ?? 0) + 1)
        }
      }
    }
  } finally {
    await reader.close()
  }
  return counts
}

/** Keys seen more than once, and expected keys never seen. */
export function defects(counts: Map<string, number>, expected: Iterable<string>): {duplicated: string[]; missing: string[]; unexpected: string[]} {
  const want = new Set(expected)
  return {
    duplicated: [...counts].filter(([, n]) => n > 1).map(([k]) => k),
    missing: [...want].filter((k) => !counts.has(k)),
    unexpected: [...counts.keys()].filter((k) => !want.has(k)),
  }
}

export async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`)
    await sleep(100)
  }
}

/** Brings every service of the runtime back (thaws the frozen, restarts the dead), so a failed test never poisons the next. */
export async function healRuntime(stateDir: string): Promise<void> {
  for (const service of localRuntimeStatus(stateDir).services) {
    if (service.state === 'frozen') await signalService(stateDir, service.name, 'CONT')
    else if (service.state !== 'running') await restartService(stateDir, service.name)
  }
}

/** The broker coordinating a consumer group: the leader of its __consumer_offsets partition (Java's String.hashCode, as Kafka picks it). */
export async function groupCoordinator(profile: Profile, groupId: string): Promise<string> {
  let hash = 0
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0
  return withAdmin(profile, async (admin) => {
    const {topics} = await admin.fetchTopicMetadata({topics: ['__consumer_offsets']})
    const partitions = topics[0]!.partitions
    const leader = partitions.find((p) => p.partitionId === (hash & 0x7fffffff) % partitions.length)?.leader
    if (leader === undefined) throw new Error(`no leader for the __consumer_offsets partition of ${groupId}`)
    return `kafka-${leader}`
  })
}
