import {randomUUID} from 'node:crypto'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {retryRetriable, withAdmin} from '../kafka/client.js'
import {KafkaProducer} from '../kafka/producer.js'
import {openPartitionReader} from '../kafka/reader.js'
import {TOPICS} from '../topics/names.js'
import type {MirrorFlow} from './flow.js'

export interface CanaryResult {
  id: string
  /** From the write on the source to the record being readable (committed) on the target. */
  latencyMs: number
}

/**
 * Times one probe through the mirror: a record with a fresh id written to
 * mirror-canary on the source, awaited on its remote topic on the target.
 */
export async function sendCanary(source: Profile, target: Profile, flow: MirrorFlow, timeoutMs = 60_000): Promise<CanaryResult> {
  const topic = TOPICS.mirrorCanary
  const remote = flow.remoteName(topic)
  const starts = await withAdmin(
    target,
    async (admin) => {
      if (!(await admin.listTopics()).includes(remote)) return undefined
      return new Map((await retryRetriable(() => admin.fetchTopicOffsets(remote))).map((o) => [o.partition, BigInt(o.high)]))
    },
    {role: 'mirror'},
  )
  const id = randomUUID()
  const sentAt = Date.now()
  const producer = await KafkaProducer.open(source, {role: 'mirror-canary', lingerMs: 0})
  try {
    await producer.send(topic, [{key: id, value: Buffer.from(JSON.stringify({id, sent_at: new Date(sentAt).toISOString()}))}])
  } finally {
    await producer.close()
  }
  if (!starts)
    throw new MktError(
      `The analytics cluster has no ${remote} yet: MirrorMaker 2 has not mirrored ${topic}.`,
      'Check `mkt infra status` (the mirror service) and `mkt infra logs mirror`; it creates remote topics within a few seconds of starting.',
      'notFound',
    )
  const reader = await openPartitionReader(target, {role: 'mirror-canary', topic: remote, starts, maxWaitMs: 100})
  try {
    while (Date.now() - sentAt < timeoutMs) {
      for (const item of await reader.next()) if (item.kind === 'message' && item.message.key?.toString() === id) return {id, latencyMs: Date.now() - sentAt}
    }
  } finally {
    await reader.close()
  }
  throw new MktError(
    `The canary ${id} did not reach ${remote} on the analytics cluster within ${timeoutMs / 1000} s.`,
    'MirrorMaker 2 is behind or stopped: see `mkt mirror status` and `mkt infra logs mirror`.',
    'timeout',
  )
}
