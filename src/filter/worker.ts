import os from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

import {BANS_TOPIC} from '../bans/ban.js'
import {followBans, type FollowedBans} from '../bans/table.js'
import type {Profile} from '../config/schema.js'
import {isMktError} from '../errors.js'
import {openGroupConsumer, type GroupConsumer} from '../kafka/group.js'
import {groupLagGauge} from '../metrics/registry.js'
import {certificateExpiryGauge} from '../metrics/tls-expiry.js'
import type {Message} from '../kafka/rdkafka.js'
import {unlessStopped, workerLifecycle} from '../lifecycle.js'
import type {Logger} from '../log-structured.js'
import {createRegistry} from '../schema/registry-client.js'
import {topicValueSchema} from '../schema/subjects.js'
import {DLQ_TOPIC, SHOP_TOPIC} from '../shop/send.js'
import {decideBatch, type BatchContext, type Outgoing} from './batch.js'
import {filterMetrics, type FilterMetrics} from './metrics.js'
import {atLeastOnceOutput, transactionalOutput, type OutputSession, type OutputTopics} from './output.js'
import {RegistryUnavailable} from './poison.js'
import {TOPICS} from '../topics/names.js'

export const FILTERED_TOPIC = TOPICS.catalog
export const EVENTS_TOPIC = TOPICS.filterEvents
export const FILTER_GROUP = 'mkt-filter'

export interface FilterOptions {
  groupId?: string
  inputTopic?: string
  outputTopic?: string
  eventsTopic?: string
  dlqTopic?: string
  bansTopic?: string
  /** Exactly once (transactions, default) or at least once (plain produce, then commit). */
  eos?: boolean
  workerId?: string
  logger: Logger
  /** A killed or frozen worker's partitions move to the others after this (Kafka's minimum is 6 s). */
  sessionTimeoutMs?: number
  /** A transaction left open by a dead or frozen worker is aborted after this. */
  transactionTimeoutMs?: number
  /** Records per batch (and per transaction). */
  batchSize?: number
  /** Aborts a start in progress (SIGTERM while starting). */
  signal?: AbortSignal
}

export interface FilterStats {
  cardsIn: number
  passed: number
  banned: number
  dlq: number
  committed: number
  aborted: number
}

export interface FilterWorker {
  workerId: string
  metrics: FilterMetrics
  /** Resolves when the ban list is loaded and the consumer has its first assignment. */
  ready: Promise<void>
  stats(): FilterStats
  health(): {ok: boolean; bansLoaded: boolean; consuming: boolean; eos: boolean; bans: number; partitions: number[]; lastError?: string}
  /** Finishes the batch in progress (its transaction commits or aborts), then leaves the group at once. */
  stop(): Promise<void>
  /** Settles when the worker has stopped; rejects when it failed for good. */
  done: Promise<void>
}

/**
 * `mkt filter start`: consumes shop-products in a consumer group, holds back
 * banned cards, forwards the rest unchanged to filtered-products and writes
 * one audit decision per card to filtered-events. With EOS the outputs and
 * the consumed offsets commit in one Kafka transaction per batch (KIP-447),
 * so kill -9 or SIGSTOP at any moment loses and duplicates nothing.
 *
 * One loop: read a batch, decide it, commit it; on any failure the batch's
 * partitions rewind to its first offsets and it is read again. Rebalances
 * wait for the batch in progress, and stop() ends the loop from any state.
 */
export async function startFilter(profile: Profile, options: FilterOptions): Promise<FilterWorker> {
  const groupId = options.groupId ?? FILTER_GROUP
  const topics: OutputTopics = {
    input: options.inputTopic ?? SHOP_TOPIC,
    output: options.outputTopic ?? FILTERED_TOPIC,
    events: options.eventsTopic ?? EVENTS_TOPIC,
    dlq: options.dlqTopic ?? DLQ_TOPIC,
  }
  const eos = options.eos ?? true
  const workerId = options.workerId ?? `${os.hostname()}-${process.pid}`
  const log = options.logger.child({worker: workerId, group: groupId, eos})
  const metrics = filterMetrics({worker: workerId, mode: eos ? 'eos' : 'at-least-once'})
  groupLagGauge(metrics.registry, profile, groupId, topics.input)
  certificateExpiryGauge(metrics.registry, profile)
  const stats: FilterStats = {cardsIn: 0, passed: 0, banned: 0, dlq: 0, committed: 0, aborted: 0}
  const signal = options.signal
  let lastError: string | undefined
  let stopping = false

  const stopBans = new AbortController()
  const bans: FollowedBans = followBans(profile, {
    topic: options.bansTopic ?? BANS_TOPIC,
    signal: stopBans.signal,
    onChange: (change, ban) => {
      metrics.bans.set(bans.table.size)
      log.info({change, ban: ban.key, reason: ban.reason}, change === 'banned' ? 'ban applied' : 'ban lifted')
    },
  })
  let group: GroupConsumer | undefined
  const abandon = async () => {
    stopBans.abort()
    await Promise.allSettled([bans.done, group?.close()])
  }

  let context: BatchContext
  try {
    const [decisionSchema, dlqSchema] = await unlessStopped(
      Promise.all([topicValueSchema(profile, topics.events, EVENTS_TOPIC), topicValueSchema(profile, topics.dlq, DLQ_TOPIC)]),
      signal,
    )
    await unlessStopped(topicValueSchema(profile, topics.output, FILTERED_TOPIC), signal) // forwarded bytes keep their id; the subject documents the topic
    await unlessStopped(Promise.race([bans.ready, bans.done]), signal)
    context = {registry: createRegistry(profile), bans: bans.table, decisionSchema, dlqSchema, inputTopic: topics.input, workerId}
  } catch (error) {
    await abandon()
    throw error
  }
  metrics.bans.set(bans.table.size)
  log.info({bans: bans.table.size}, 'ban list loaded')

  let current: Promise<void> = Promise.resolve()
  let markJoined!: () => void
  const joined = new Promise<void>((resolve) => (markJoined = resolve))
  try {
    group = await unlessStopped(
      openGroupConsumer(profile, {
        role: 'filter',
        groupId,
        topic: topics.input,
        startFrom: 'earliest',
        autoCommit: !eos, // exactly once commits offsets inside its transactions
        sessionTimeoutMs: options.sessionTimeoutMs ?? 6000,
        batchSize: options.batchSize ?? 2000,
        maxWaitMs: 100,
        onAssign: (partitions) => {
          log.info({partitions, assignment: group?.assignment()}, 'partitions assigned')
          markJoined()
        },
        // The batch in progress finishes (commits or aborts) before its partitions are handed over.
        onRevoke: async (partitions, lost) => {
          log.info({partitions, lost}, lost ? 'partitions lost (the group gave them away)' : 'partitions revoked')
          await current.catch(() => {})
        },
        onStranded: (partitions) =>
          log.warn(
            {partitions},
            'assigned partitions have not been fetched for 20 s; assigning them again (librdkafka can strand them after a coordinator moves)',
          ),
        onError: (error) => {
          lastError = error.message
          log.warn({err: error.message, code: error.code}, 'consumer error')
        },
      }),
      signal,
      (late) => late.close(), // stopped while joining: the member that joins anyway leaves at once
    )
  } catch (error) {
    await abandon()
    throw error
  }
  const consumer = group
  const output: OutputSession = eos
    ? transactionalOutput(profile, {
        transactionalId: `${groupId}-${workerId}`,
        topics,
        group: consumer,
        log,
        ...(options.transactionTimeoutMs ? {transactionTimeoutMs: options.transactionTimeoutMs} : {}),
      })
    : atLeastOnceOutput(profile, {topics, group: consumer})

  const account = (out: Outgoing) => {
    const total = out.counts.passed + out.counts.bannedProduct + out.counts.bannedSku + out.counts.dlq
    stats.cardsIn += total
    stats.passed += out.counts.passed
    stats.banned += out.counts.bannedProduct + out.counts.bannedSku
    stats.dlq += out.counts.dlq
    stats.committed++
    metrics.cardsIn.inc(total)
    metrics.passed.inc(out.counts.passed)
    metrics.banned.inc({by: 'product'}, out.counts.bannedProduct)
    metrics.banned.inc({by: 'sku'}, out.counts.bannedSku)
    metrics.dlq.inc(out.counts.dlq)
    metrics.committed.inc()
    const committedAt = Date.now()
    for (const producedAt of out.producedAt) metrics.latency.observe(Math.max(0, committedAt - producedAt) / 1000)
  }

  const processBatch = async (messages: Message[]) => {
    const started = Date.now()
    const out = await decideBatch(messages, context)
    const decided = Date.now()
    await output.commit(out)
    account(out)
    log.debug({records: messages.length, partitions: [...out.next.keys()], decideMs: decided - started, commitMs: Date.now() - decided}, 'batch committed')
  }

  let failures = 0
  const loop = async () => {
    while (!stopping) {
      await consumer.settled()
      const items = await consumer.next()
      if (items.length > 0) log.trace({items: items.length}, 'read')
      if (stopping) break
      // Only partitions still ours: a revocation that began since the read hands them over untouched.
      const messages = consumer.owned(items)
      if (messages.length === 0) continue
      current = processBatch(messages)
      try {
        await current
        failures = 0
      } catch (error) {
        failures++
        stats.aborted++
        metrics.aborted.inc()
        lastError = (error as Error).message
        const registryDown = error instanceof RegistryUnavailable
        if (isMktError(error) && (error.code === 'denied' || error.code === 'authentication')) {
          // An ACL or a credential does not heal by retrying (the readers treat it as permanent too): stop,
          // with nothing committed and the batch left for the next worker.
          await consumer.rewind(messages)
          throw error
        }
        log.warn(
          {err: lastError, partitions: [...new Set(messages.map((m) => m.partition))], registryDown},
          registryDown ? 'schema registry unavailable; the batch waits and is retried' : 'batch failed and was rolled back; it will be consumed again',
        )
        await consumer.rewind(messages)
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)))
      }
    }
  }

  const {done, finish, failed} = workerLifecycle({log, stopping: () => stopping, stop: () => stop(), onError: (message) => (lastError = message)})
  const running = loop()
  running.catch(failed)
  bans.done.catch(failed)

  let stopped: Promise<void> | undefined
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true
      log.info(stats, 'stopping: finishing the batch in progress')
      await running.catch(() => {})
      await consumer.close() // leaves the group now: the others take over without waiting for a session timeout
      await output.close()
      stopBans.abort()
      await bans.done.catch(() => {})
      log.info(stats, 'stopped')
      finish()
    })())
  signal?.addEventListener('abort', () => void stop(), {once: true})

  const ready = joined.then(() => log.info({inputTopic: topics.input, outputTopic: topics.output}, 'filtering'))
  return {
    workerId,
    metrics,
    ready,
    stats: () => ({...stats}),
    health: () => ({
      ok: !stopping && consumer.joined(),
      bansLoaded: true,
      consuming: consumer.joined(),
      eos,
      bans: bans.table.size,
      partitions: consumer.assignment(),
      ...(lastError ? {lastError} : {}),
    }),
    stop,
    done,
  }
}
