import type {Profile} from '../config/schema.js'
import {batchReader, connectConsumer, disconnectConsumer, healingReads, type ConsumedItem} from './consumer-batch.js'
import {explainKafkaError} from './errors.js'
import {FetchStartWatch} from './fetch-watch.js'
import {ERR, RdConsumer, type KafkaConsumer, type LibrdKafkaError, type Message, type TopicPartitionOffset} from './rdkafka.js'
import {rdkafkaConfig, traceRdkafka} from './rd-config.js'

/** Kafka's lowest session timeout by default (group.min.session.timeout.ms): a SIGKILLed member is noticed this fast. */
export const DEFAULT_SESSION_TIMEOUT_MS = 6000
export const DEFAULT_HEARTBEAT_MS = 1000

export interface GroupConsumerOptions {
  role: string
  groupId: string
  topic: string
  /** Where a partition starts when the group has no committed offset for it. */
  startFrom: 'earliest' | 'latest'
  /** A member that stops heartbeating (killed, frozen) loses its partitions after this. */
  sessionTimeoutMs?: number
  heartbeatIntervalMs?: number
  maxWaitMs?: number
  batchSize?: number
  /** Commit stored offsets every second in the background (see storeOffsets), and on revocation; false: the caller commits (commit() or a transaction). */
  autoCommit?: boolean
  onAssign?: (partitions: number[]) => void
  /**
   * Awaited before partitions are given up: finish (commit or abort) the work in
   * progress on them. `lost`: the group already gave them to another member.
   */
  onRevoke?: (partitions: number[], lost: boolean) => Promise<void>
  onError?: (error: LibrdKafkaError) => void
  /** Assigned partitions whose fetcher has not run for this long are assigned again (see FetchStartWatch). */
  fetchStartTimeoutMs?: number
  /** Told which partitions never started fetching and were assigned again. */
  onStranded?: (partitions: number[]) => void
}

export interface GroupConsumer {
  raw: KafkaConsumer
  next(): Promise<ConsumedItem[]>
  assignment(): number[]
  /** False from the moment a revocation of the partition begins. */
  owns(partition: number): boolean
  /** Whether the consumer currently owns partitions (it joined and was given some, or none exist for it). */
  joined(): boolean
  seek(partition: number, offset: bigint): Promise<void>
  /** The records of a read that belong to partitions still owned (a revocation may have begun since). */
  owned(items: ConsumedItem[]): Message[]
  /** Seeks the owned partitions of these records back to their first offsets, so they are read again. */
  rewind(messages: Message[]): Promise<void>
  commit(offsets: Array<{partition: number; offset: bigint}>): Promise<void>
  storeOffsets(offsets: Array<{partition: number; offset: bigint}>): void
  /** Settles once any assignment change in progress has been applied. */
  settled(): Promise<void>
  /** Leaves the group at once (revoking through onRevoke), so others take over without waiting for a session timeout. */
  close(): Promise<void>
}

/**
 * A consumer-group member on librdkafka with the cooperative-sticky assignor
 * (a rebalance moves only the partitions that change owner), read committed,
 * whose assignment changes wait for the caller's onRevoke. Everything runs in
 * librdkafka's own state machine: no join can race a stop.
 */
export async function openGroupConsumer(profile: Profile, options: GroupConsumerOptions): Promise<GroupConsumer> {
  const topic = options.topic
  const owned = new Set<number>()
  let hasJoined = false
  let rebalancing: Promise<void> = Promise.resolve()
  const watch = new FetchStartWatch(options.fetchStartTimeoutMs ?? 20_000)
  const consumer: KafkaConsumer = new RdConsumer(
    {
      ...rdkafkaConfig(profile, options.role),
      'group.id': options.groupId,
      'partition.assignment.strategy': 'cooperative-sticky',
      'session.timeout.ms': options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      'heartbeat.interval.ms': options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
      'max.poll.interval.ms': 120_000,
      'enable.auto.commit': options.autoCommit ?? false,
      'enable.auto.offset.store': false,
      'auto.commit.interval.ms': 1000,
      'isolation.level': 'read_committed',
      'allow.auto.create.topics': false,
      'fetch.wait.max.ms': options.maxWaitMs ?? 100,
      'fetch.error.backoff.ms': 100,
      // The fetch watch reads each partition's fetch state from these.
      'statistics.interval.ms': 5000,
      rebalance_cb: (error: LibrdKafkaError, assignment: TopicPartitionOffset[]) => {
        const partitions = assignment.filter((a) => a.topic === topic).map((a) => a.partition)
        if (error.code === ERR.ERR__ASSIGN_PARTITIONS) {
          rebalancing = rebalancing.then(() => {
            for (const p of partitions) owned.add(p)
            hasJoined = true
            safely(() => consumer.incrementalAssign(assignment))
            watch.forget(partitions)
            options.onAssign?.(partitions)
          })
        } else if (error.code === ERR.ERR__REVOKE_PARTITIONS) {
          const lost = safely(() => consumer.assignmentLost()) ?? false
          // No longer ours from this moment: a batch that starts now must not include them.
          for (const p of partitions) owned.delete(p)
          watch.forget(partitions)
          rebalancing = rebalancing.then(async () => {
            await options.onRevoke?.(partitions, lost).catch(() => {})
            safely(() => consumer.incrementalUnassign(assignment))
          })
        } else options.onError?.(error)
      },
    } as never,
    {'auto.offset.reset': options.startFrom} as never,
  )
  consumer.on('event.error', (error) => options.onError?.(error))
  traceRdkafka(consumer, options.role)
  try {
    await connectConsumer(consumer, 10_000)
  } catch (error) {
    throw explainKafkaError(error, profile)
  }
  consumer.setDefaultConsumeTimeout(options.maxWaitMs ?? 100)
  consumer.setDefaultIsTimeoutOnlyForFirstMessage(true)
  consumer.subscribe([topic])
  // Synchronous from the check to the new assignment: no record of the partition can be handed out in between.
  const reassignStranded = () => {
    const stranded = watch.overdue(Date.now()).filter((p) => owned.has(p))
    if (stranded.length === 0) return
    rebalancing = rebalancing.then(() => {
      const still = stranded.filter((p) => owned.has(p) && watch.isIdle(p)).map((partition) => ({topic, partition}))
      if (still.length === 0) return
      watch.forget(still.map((s) => s.partition))
      safely(() => consumer.incrementalUnassign(still))
      safely(() => consumer.incrementalAssign(still))
      options.onStranded?.(still.map((s) => s.partition))
    })
  }
  consumer.on('event.stats', (stats: {message: string}) => {
    let partitions: Record<string, {fetch_state?: string}> = {}
    try {
      partitions = (JSON.parse(stats.message) as {topics?: Record<string, {partitions?: typeof partitions}>}).topics?.[topic]?.partitions ?? {}
    } catch {
      return
    }
    const now = Date.now()
    for (const p of owned) watch.observe(p, partitions[String(p)]?.fetch_state, now)
    reassignStranded()
  })
  const read = healingReads(batchReader(consumer, options.batchSize ?? 1000), topic, profile, options.groupId)
  const seek = (partition: number, offset: bigint) =>
    new Promise<void>((resolve, reject) => consumer.seek({topic, partition, offset: Number(offset)}, 5000, (error) => (error ? reject(error) : resolve())))
  let closed: Promise<void> | undefined

  return {
    raw: consumer,
    next: read,
    assignment: () => [...owned].sort((a, b) => a - b),
    owns: (partition) => owned.has(partition),
    joined: () => hasJoined,
    seek,
    owned: (items) => items.flatMap((i) => (i.kind === 'message' && owned.has(i.message.partition) ? [i.message] : [])),
    rewind: async (messages) => {
      const first = new Map<number, number>()
      for (const m of messages) if (!first.has(m.partition)) first.set(m.partition, m.offset)
      await Promise.all([...first].filter(([p]) => owned.has(p)).map(([p, offset]) => seek(p, BigInt(offset)).catch(() => {})))
    },
    commit: (offsets) =>
      new Promise((resolve, reject) =>
        consumer.commitCb(
          offsets.map((o) => ({topic, partition: o.partition, offset: Number(o.offset)})),
          (error) => (error ? reject(error) : resolve()),
        ),
      ),
    storeOffsets: (offsets) => consumer.offsetsStore(offsets.map((o) => ({topic, partition: o.partition, offset: Number(o.offset)}))),
    settled: () => rebalancing,
    close: () =>
      (closed ??= (async () => {
        await rebalancing
        await disconnectConsumer(consumer)
        await rebalancing
      })()),
  }
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}
