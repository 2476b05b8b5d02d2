import type {Profile} from '../config/schema.js'
import {retryRetriable, withAdmin} from './client.js'
import type {Message} from './rdkafka.js'
import {openPartitionReader} from './reader.js'

/**
 * Every committed record of a topic from its start to where it ends now
 * (read committed: up to each partition's last stable offset), in order per
 * partition. For small topics read whole: compacted state, internal topics.
 */
export async function readToEnd(
  profile: Profile,
  topic: string,
  onRecord: (message: Message) => void,
  /** starts: only these partitions, from these offsets (default: every partition from its start). */
  options: {role: string; timeoutMs?: number; starts?: Map<number, bigint>},
): Promise<void> {
  let starts = options.starts
  if (!starts) {
    const offsets = await withAdmin(profile, (admin) => retryRetriable(() => admin.fetchTopicOffsets(topic)), {role: options.role})
    starts = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.low)]))
  }
  const pending = new Set(starts.keys())
  if (pending.size === 0) return
  const reader = await openPartitionReader(profile, {role: options.role, topic, starts})
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  try {
    while (pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} did not reach its end in ${(options.timeoutMs ?? 60_000) / 1000} s`)
      for (const item of await reader.next()) {
        if (item.kind === 'eof') pending.delete(item.partition)
        else onRecord(item.message)
      }
    }
  } finally {
    await reader.close()
  }
}
