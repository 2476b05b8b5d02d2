import {setTimeout as sleep} from 'node:timers/promises'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {retryRetriable, withAdmin} from './client.js'

/** Records of the topic that the consumer group has not committed yet (0: caught up). */
export async function consumerGroupLag(profile: Profile, groupId: string, topic: string): Promise<number> {
  return withAdmin(profile, async (admin) => {
    const ends = await retryRetriable(() => admin.fetchTopicOffsets(topic))
    const [committed] = await retryRetriable(() => admin.fetchOffsets({groupId, topics: [topic]}))
    return ends.reduce((sum, end) => {
      const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
      return sum + Number(end.high) - Math.max(0, at)
    }, 0)
  })
}

/**
 * Polls until the group has caught up with the topic's end. Fails only when
 * the lag stops shrinking for stallMs: a large backlog is fine while it moves.
 */
export async function waitForGroup(
  profile: Profile,
  groupId: string,
  topic: string,
  options: {stallMs?: number; onLag?: (lag: number) => void} = {},
): Promise<void> {
  const stallMs = options.stallMs ?? 60_000
  let best = Number.POSITIVE_INFINITY
  let lastProgress = Date.now()
  for (;;) {
    const lag = await consumerGroupLag(profile, groupId, topic)
    options.onLag?.(lag)
    if (lag === 0) return
    if (lag < best) [best, lastProgress] = [lag, Date.now()]
    if (Date.now() - lastProgress > stallMs) {
      throw new MktError(
        `Consumer group ${groupId} has made no progress on ${topic} for ${stallMs / 1000}s (${lag} record(s) left).`,
        'Check that its workers run (`mkt status`, their /healthz) and the broker logs.',
        'infra',
      )
    }
    await sleep(250)
  }
}
