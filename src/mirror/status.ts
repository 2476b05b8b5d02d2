import type {Profile} from '../config/schema.js'
import {retryRetriable, withAdmin} from '../kafka/client.js'
import {readToEnd} from '../kafka/read-to-end.js'
import type {MirrorFlow} from './flow.js'

export interface MirroredTopic {
  topic: string
  remote: string
  /** Records (end - start offsets) on the source; transaction markers count too, so both sides differ even when equal. */
  sourceEnd: number
  /** Whether the target has the topic yet (MirrorMaker creates it within its refresh interval). */
  exists: boolean
  targetEnd: number
  /** Source records not yet mirrored: per partition, the source's end minus where MirrorMaker has committed up to (+1). */
  lag: number
  /** Partitions MirrorMaker has not started on. */
  unmirroredPartitions: number[]
}

interface SourceOffsetKey {
  cluster: string
  partition: number
  topic: string
}

/**
 * Where MirrorMaker 2 is, per source partition: the offsets its exactly-once
 * source task committed with the records ({"offset": last mirrored}, keyed
 * ["MirrorSourceConnector", {cluster, partition, topic}]), read committed.
 */
async function mirroredUpTo(target: Profile, flow: MirrorFlow): Promise<Map<string, number>> {
  const positions = new Map<string, number>()
  const exists = await withAdmin(target, async (admin) => (await admin.listTopics()).includes(flow.offsetsTopic), {role: 'mirror'})
  if (!exists) return positions
  await readToEnd(
    target,
    flow.offsetsTopic,
    (message) => {
      const key = JSON.parse(message.key?.toString() ?? 'null') as [string, SourceOffsetKey] | null
      if (!Array.isArray(key) || key[0] !== 'MirrorSourceConnector' || key[1].cluster !== flow.source) return
      const id = `${key[1].topic}:${key[1].partition}`
      if (message.value === null || message.value === undefined) positions.delete(id)
      else positions.set(id, Number((JSON.parse(message.value.toString()) as {offset: number}).offset))
    },
    {role: 'mirror'},
  )
  return positions
}

/** Each mirrored topic on both clusters: end offsets, and how many source records MirrorMaker has yet to copy. */
export async function mirrorStatus(source: Profile, target: Profile, flow: MirrorFlow): Promise<MirroredTopic[]> {
  const [sourceOffsets, targetOffsets, positions] = await Promise.all([
    withAdmin(source, async (admin) => Promise.all(flow.topics.map((t) => retryRetriable(() => admin.fetchTopicOffsets(t)))), {role: 'mirror'}),
    withAdmin(
      target,
      async (admin) => {
        const present = new Set(await admin.listTopics())
        return Promise.all(
          flow.topics.map((t) => (present.has(flow.remoteName(t)) ? retryRetriable(() => admin.fetchTopicOffsets(flow.remoteName(t))) : undefined)),
        )
      },
      {role: 'mirror'},
    ),
    mirroredUpTo(target, flow),
  ])
  const rows: MirroredTopic[] = []
  for (const [i, topic] of flow.topics.entries()) {
    const src = sourceOffsets[i]!
    const dst = targetOffsets[i]
    let lag = 0
    const unmirrored: number[] = []
    // Offsets also number transaction markers: a small gap is counted record by record, so a caught-up mirror shows 0.
    const recount = new Map<number, bigint>()
    for (const p of src) {
      const end = Number(p.high)
      const done = positions.get(`${topic}:${p.partition}`)
      if (done === undefined) {
        if (end > Number(p.low)) unmirrored.push(p.partition)
        lag += end - Number(p.low)
      } else if (end - (done + 1) > 0 && end - (done + 1) <= EXACT_BELOW) recount.set(p.partition, BigInt(done + 1))
      else lag += Math.max(0, end - (done + 1))
    }
    if (recount.size > 0) lag += await countRecords(source, topic, recount)
    rows.push({
      topic,
      remote: flow.remoteName(topic),
      sourceEnd: src.reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
      exists: dst !== undefined,
      targetEnd: (dst ?? []).reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
      lag,
      unmirroredPartitions: unmirrored,
    })
  }
  return rows
}

const EXACT_BELOW = 5000

/** Committed records from each start to the partition's end (read committed, so markers and aborted records do not count). */
async function countRecords(profile: Profile, topic: string, starts: Map<number, bigint>): Promise<number> {
  let count = 0
  await readToEnd(profile, topic, () => count++, {role: 'mirror', starts, timeoutMs: 30_000})
  return count
}
