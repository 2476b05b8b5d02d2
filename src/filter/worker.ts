import os from 'node:os'

import type {SchemaRegistry} from '@kafkajs/confluent-schema-registry'

import {BANS_TOPIC} from '../bans/ban.js'
import {followBans, type FollowedBans} from '../bans/table.js'
import type {ProductCard} from '../catalog/card.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {createKafka, explainKafkaError, retryRetriable} from '../kafka/client.js'
import {CompressionTypes} from '../kafka/compression.js'
import type {Admin, Consumer, KafkaClient, Producer} from '../kafka/kafkajs.js'
import type {Logger} from '../log-structured.js'
import {encodeWire, wireSchemaId} from '../schema/avro.js'
import {createRegistry} from '../schema/registry.js'
import {topicValueSchema} from '../schema/subjects.js'
import type {RejectedRecord} from '../shop/rejections.js'
import {DLQ_TOPIC, SHOP_TOPIC} from '../shop/send.js'
import {decide} from './decide.js'
import {filterMetrics, type FilterMetrics} from './metrics.js'

export const FILTERED_TOPIC = 'filtered-products'
export const EVENTS_TOPIC = 'filtered-events'
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
  /** Lower values notice a killed worker sooner (Kafka's minimum is 6 s). */
  sessionTimeoutMs?: number
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
  /** Resolves when the ban list is loaded and the consumer has joined its group. */
  ready: Promise<void>
  stats(): FilterStats
  health(): {ok: boolean; bansLoaded: boolean; consuming: boolean; eos: boolean; bans: number; lastError?: string}
  /** Finishes the batch in progress (its transaction commits or aborts), then leaves the group. */
  stop(): Promise<void>
  /** Settles when the worker has stopped; rejects when it failed for good. */
  done: Promise<void>
}

interface Outgoing {
  passed: Array<{key: Buffer | null; value: Buffer; headers?: Record<string, Buffer | string>; timestamp: string}>
  events: Array<{key: string | null; value: Buffer}>
  dlq: Array<{key: string | null; value: Buffer}>
  /** Produce timestamps of the input records, for the processing-latency histogram. */
  producedAt: number[]
  counts: {passed: number; bannedProduct: number; bannedSku: number; dlq: number}
}

/** The per-partition state of an exactly-once worker. */
interface PartitionState {
  producer: Producer
  /** Offsets below this were committed by an earlier owner; set after fencing it. */
  floor?: bigint
}

class Poison extends Error {}

/** Fails a step that hangs (e.g. a broker that never answers) so the batch is retried from the committed offsets. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function decodeCard(registry: SchemaRegistry, value: Buffer | null): Promise<ProductCard> {
  if (value === null || value.length === 0) throw new Poison('the record has no value')
  const id = wireSchemaId(value)
  if (id === undefined) throw new Poison('the value is not Avro in the Confluent wire format (no magic byte 0)')
  try {
    return (await registry.decode(value)) as ProductCard
  } catch (error) {
    const message = (error as Error).message
    // A registry that answers "not found" means an unknown schema id: the record is poison.
    // A registry that does not answer is not the record's fault: rethrow so the batch is retried.
    if (/404|not found|40403/i.test(message) || (error as {status?: number}).status === 404) throw new Poison(`unknown schema id ${id}`)
    if (/ECONNREFUSED|fetch failed|ETIMEDOUT|socket hang up/i.test(message)) throw error
    throw new Poison(`cannot decode the value with schema id ${id}: ${message}`)
  }
}

/**
 * `mkt filter start`: consumes shop-products in a consumer group, holds back
 * banned cards, forwards the rest unchanged to filtered-products and writes
 * one audit decision per card to filtered-events. With EOS the outputs and
 * the consumed offsets commit in one Kafka transaction per batch, through one
 * transactional producer per input partition (transactional id derived from
 * group, topic and partition) so a new owner of a partition fences the old
 * one: kill -9 at any moment loses and duplicates nothing.
 */
export async function startFilter(profile: Profile, options: FilterOptions): Promise<FilterWorker> {
  const groupId = options.groupId ?? FILTER_GROUP
  const inputTopic = options.inputTopic ?? SHOP_TOPIC
  const outputTopic = options.outputTopic ?? FILTERED_TOPIC
  const eventsTopic = options.eventsTopic ?? EVENTS_TOPIC
  const dlqTopic = options.dlqTopic ?? DLQ_TOPIC
  const eos = options.eos ?? true
  const workerId = options.workerId ?? `${os.hostname()}-${process.pid}`
  const log = options.logger.child({worker: workerId, group: groupId, eos})
  const metrics = filterMetrics({worker: workerId, mode: eos ? 'eos' : 'at-least-once'})
  const stats: FilterStats = {cardsIn: 0, passed: 0, banned: 0, dlq: 0, committed: 0, aborted: 0}

  const kafka: KafkaClient = createKafka(profile, {role: 'filter', retries: 8, requestTimeout: 30_000})
  const [decisionSchema, dlqSchema] = await Promise.all([topicValueSchema(profile, eventsTopic, EVENTS_TOPIC), topicValueSchema(profile, dlqTopic, DLQ_TOPIC)])
  await topicValueSchema(profile, outputTopic, FILTERED_TOPIC) // forwarded bytes keep their id; the subject documents the topic
  const registry = createRegistry(profile)

  const stopBans = new AbortController()
  let lastError: string | undefined
  const bans: FollowedBans = followBans(profile, {
    topic: options.bansTopic ?? BANS_TOPIC,
    signal: stopBans.signal,
    onChange: (change, ban) => {
      metrics.bans.set(bans.table.size)
      log.info({change, ban: ban.key, reason: ban.reason}, change === 'banned' ? 'ban applied' : 'ban lifted')
    },
  })

  const admin: Admin = kafka.admin()
  await admin.connect()
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: 1000,
    allowAutoTopicCreation: false,
    // Any failure inside a batch (its transaction aborted) restarts from the committed offsets.
    retry: {retries: 10, restartOnFailure: async () => true},
  })

  let fail!: (error: unknown) => void
  let finish!: () => void
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)))
  done.catch(() => {})
  bans.done.catch((error: unknown) => fail(error))

  const partitions = new Map<number, PartitionState>()
  let shared: Promise<Producer> | undefined // at-least-once
  let consuming = false
  let stopping = false

  const transactionalProducer = async (partition: number): Promise<PartitionState> => {
    let state = partitions.get(partition)
    if (state) return state
    const producer = kafka.producer({transactionalId: `${groupId}-${inputTopic}-${partition}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000})
    await producer.connect()
    state = {producer}
    partitions.set(partition, state)
    return state
  }

  /**
   * First batch of a partition we (re)gained: begin and abort a transaction,
   * which makes the coordinator fence the previous owner and finish its open
   * transaction; only then are its committed offsets final, so we read them
   * and skip what they cover (kafkajs cannot ask for stable offsets itself).
   */
  const fenceAndFloor = async (partition: number, state: PartitionState): Promise<bigint> => {
    log.debug({partition}, 'fencing the previous owner')
    const txn = await state.producer.transaction()
    await txn.abort()
    log.debug({partition}, 'fenced; reading committed offsets')
    const [committed] = await retryRetriable(() => admin.fetchOffsets({groupId, topics: [inputTopic]}))
    const offset = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1'
    state.floor = BigInt(offset) < 0n ? 0n : BigInt(offset)
    log.info({partition, committedOffset: state.floor.toString()}, 'partition assigned; previous owner fenced')
    return state.floor
  }

  const dropProducer = async (partition: number) => {
    const state = partitions.get(partition)
    partitions.delete(partition)
    await state?.producer.disconnect().catch(() => {})
  }

  const decideBatch = async (messages: Array<{key: Buffer | null; value: Buffer | null; headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>; timestamp: string; offset: string}>, partition: number): Promise<Outgoing> => {
    const out: Outgoing = {passed: [], events: [], dlq: [], producedAt: [], counts: {passed: 0, bannedProduct: 0, bannedSku: 0, dlq: 0}}
    const now = new Date().toISOString()
    const event = (fields: {product_id: string | null; sku: string | null; decision: string; reason: string | null; ban_key: string | null}, offset: string) =>
      encodeWire(decisionSchema.id, decisionSchema.type, {...fields, source_partition: partition, source_offset: Number(offset), decided_at: now, worker: workerId})
    for (const message of messages) {
      out.producedAt.push(Number(message.timestamp))
      let card: ProductCard
      try {
        card = await decodeCard(registry, message.value)
      } catch (error) {
        if (!(error instanceof Poison)) throw error
        const rejection: RejectedRecord = {
          stage: 'filter',
          reason: error.message,
          errors: [error.message],
          original: message.value?.toString('base64') ?? '',
          original_encoding: 'BASE64',
          source_file: null,
          source_line: null,
          source_index: null,
          source_topic: inputTopic,
          source_partition: partition,
          source_offset: Number(message.offset),
          rejected_at: now,
        }
        const key = message.key?.toString('utf8') ?? null
        out.dlq.push({key, value: encodeWire(dlqSchema.id, dlqSchema.type, rejection)})
        out.events.push({key, value: event({product_id: key, sku: null, decision: 'REJECTED', reason: error.message, ban_key: null}, message.offset)})
        out.counts.dlq++
        continue
      }
      const verdict = decide(card, bans.table)
      if (verdict.decision === 'PASSED') {
        const headers = message.headers ? (Object.fromEntries(Object.entries(message.headers).filter(([, v]) => v !== undefined && !Array.isArray(v))) as Record<string, Buffer | string>) : undefined
        out.passed.push({key: message.key, value: message.value!, timestamp: message.timestamp, ...(headers && Object.keys(headers).length > 0 ? {headers} : {})})
        out.counts.passed++
      } else if (verdict.decision === 'BANNED_PRODUCT') out.counts.bannedProduct++
      else out.counts.bannedSku++
      out.events.push({
        key: card.product_id,
        value: event({product_id: card.product_id, sku: card.sku, decision: verdict.decision, reason: verdict.decision === 'PASSED' ? null : verdict.ban.reason, ban_key: verdict.decision === 'PASSED' ? null : verdict.ban.key}, message.offset),
      })
    }
    return out
  }

  const topicMessages = (out: Outgoing) => [
    ...(out.passed.length > 0 ? [{topic: outputTopic, messages: out.passed}] : []),
    ...(out.events.length > 0 ? [{topic: eventsTopic, messages: out.events}] : []),
    ...(out.dlq.length > 0 ? [{topic: dlqTopic, messages: out.dlq}] : []),
  ]

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

  consumer.on(consumer.events.GROUP_JOIN, ({payload}: {payload: {memberAssignment: Record<string, number[]>}}) => {
    const mine = new Set(payload.memberAssignment[inputTopic] ?? [])
    // Partitions we may have lost and regained must be fenced and floored again.
    for (const [partition, state] of partitions) {
      state.floor = undefined
      if (!mine.has(partition)) void dropProducer(partition)
    }
    consuming = true
    log.info({partitions: [...mine].sort((a, b) => a - b)}, 'joined the group')
  })
  consumer.on(consumer.events.CRASH, ({payload}: {payload: {error: Error; restart: boolean}}) => {
    lastError = payload.error.message
    consuming = false
    log.warn({err: payload.error.message, restart: payload.restart}, 'consumer failed; restarting from the committed offsets')
    if (!payload.restart) fail(new MktError(`The filter's consumer failed for good: ${payload.error.message}`, 'Check the brokers (`mkt status`) and start it again.', 'unreachable'))
  })

  await bans.ready
  let bansLoaded = true
  metrics.bans.set(bans.table.size)
  log.info({bans: bans.table.size}, 'ban list loaded')

  await consumer.connect()
  await consumer.subscribe({topic: inputTopic, fromBeginning: true})
  let markJoined!: () => void
  const joined = new Promise<void>((resolve) => (markJoined = resolve))
  consumer.on(consumer.events.GROUP_JOIN, () => markJoined())

  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({batch, isRunning, isStale}) => {
      const partition = batch.partition
      log.debug({partition, first: batch.firstOffset(), last: batch.lastOffset(), size: batch.messages.length, running: isRunning(), stale: isStale()}, 'batch')
      if (!isRunning() || isStale() || batch.messages.length === 0) return
      if (!eos) {
        const out = await decideBatch(batch.messages, partition)
        // Batches of several partitions run concurrently: share one connect, not one producer each.
        shared ??= (async () => {
          const p = kafka.producer({idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false})
          await p.connect()
          return p
        })()
        const producer = await shared
        if (topicMessages(out).length > 0) await producer.sendBatch({acks: -1, compression: CompressionTypes.LZ4, topicMessages: topicMessages(out)})
        await consumer.commitOffsets([{topic: inputTopic, partition, offset: (BigInt(batch.lastOffset()) + 1n).toString()}])
        account(out)
        return
      }

      let state: PartitionState
      let floor: bigint
      try {
        state = await withTimeout(transactionalProducer(partition), 30_000, `connecting the producer of partition ${partition}`)
        floor = state.floor ?? (await withTimeout(fenceAndFloor(partition, state), 45_000, `fencing the previous owner of partition ${partition}`))
      } catch (error) {
        lastError = (error as Error).message
        log.warn({partition, err: lastError}, 'could not take over the partition; retrying')
        await dropProducer(partition)
        throw explainKafkaError(error, profile)
      }
      const fresh = batch.messages.filter((m) => BigInt(m.offset) >= floor)
      if (fresh.length === 0) return
      const out = await decideBatch(fresh, partition)
      const txn = await state.producer.transaction()
      try {
        const messages = topicMessages(out)
        await withTimeout(
          (async () => {
            if (messages.length > 0) await txn.sendBatch({acks: -1, compression: CompressionTypes.LZ4, topicMessages: messages})
            await txn.sendOffsets({consumerGroupId: groupId, topics: [{topic: inputTopic, partitions: [{partition, offset: (BigInt(fresh.at(-1)!.offset) + 1n).toString()}]}]})
            await txn.commit()
          })(),
          60_000,
          `the transaction of partition ${partition}`,
        )
        state.floor = BigInt(fresh.at(-1)!.offset) + 1n
      } catch (error) {
        stats.aborted++
        metrics.aborted.inc()
        await txn.abort().catch(() => {})
        // A fenced producer is useless: make a new one (and fence again) next time.
        await dropProducer(partition)
        lastError = (error as Error).message
        log.warn({partition, err: lastError}, 'transaction aborted; the batch will be consumed again')
        throw error
      }
      account(out)
    },
  })

  const stop = async () => {
    if (stopping) return done
    stopping = true
    log.info(stats, 'stopping: finishing the batch in progress')
    await consumer.disconnect().catch(() => {})
    await Promise.all([...partitions.keys()].map((p) => dropProducer(p)))
    await shared?.then((p) => p.disconnect()).catch(() => {})
    await admin.disconnect().catch(() => {})
    stopBans.abort()
    await bans.done.catch(() => {})
    bansLoaded = false
    log.info(stats, 'stopped')
    finish()
  }

  const ready = joined.then(() => log.info({inputTopic, outputTopic}, 'filtering'))

  return {
    workerId,
    metrics,
    ready,
    stats: () => ({...stats}),
    health: () => ({ok: bansLoaded && consuming && !stopping, bansLoaded, consuming, eos, bans: bans.table.size, ...(lastError ? {lastError} : {})}),
    stop,
    done,
  }
}
