import os from 'node:os'

import {BANS_TOPIC} from '../bans/ban.js'
import {followBans} from '../bans/table.js'
import type {Profile} from '../config/schema.js'
import {consumeTopic} from '../consume/consume.js'
import {createKafka, explainKafkaError, retryRetriable, withAdmin} from '../kafka/client.js'
import {CompressionTypes} from '../kafka/compression.js'
import type {Consumer, Producer} from '../kafka/kafkajs.js'
import {workerLifecycle} from '../lifecycle.js'
import type {Logger} from '../log-structured.js'
import {encodeWire} from '../schema/avro.js'
import {createRegistry} from '../schema/registry.js'
import {topicValueSchema} from '../schema/subjects.js'
import {CatalogIndex} from '../search/catalog-index.js'
import {CATALOG_TOPIC, feedCatalog} from '../search/feed.js'
import {answer, RecommendationLists, type UserRecommendations} from './answer.js'
import {recommenderMetrics, type RecommenderMetrics} from './metrics.js'
import {RECOMMENDATIONS_TOPIC, RECOMMENDER_GROUP, REQUESTS_TOPIC, RESULTS_TOPIC, type RecommendRequest} from './request.js'

export interface RecommenderOptions {
  logger: Logger
  groupId?: string
  requestsTopic?: string
  resultsTopic?: string
  recommendationsTopic?: string
  catalogTopic?: string
  bansTopic?: string
  workerId?: string
  /** Requests older than this are skipped: their client stopped waiting long ago. */
  maxRequestAgeMs?: number
}

export interface Recommender {
  metrics: RecommenderMetrics
  /** Resolves when bans, catalogue and Spark's lists are loaded and the request consumer has joined its group. */
  ready: Promise<void>
  health(): {ok: boolean; loaded: boolean; consuming: boolean; lists: number; products: number; lastError?: string}
  stop(): Promise<void>
  done: Promise<void>
}

/**
 * `mkt recommend serve`: answers recommendation requests from Spark's lists,
 * checked at answer time against the live catalogue and ban list (both
 * followed), so a ban applies before Spark runs again.
 */
export async function startRecommender(profile: Profile, options: RecommenderOptions): Promise<Recommender> {
  const workerId = options.workerId ?? `${os.hostname()}-${process.pid}`
  const log = options.logger.child({worker: workerId})
  const metrics = recommenderMetrics({worker: workerId})
  const groupId = options.groupId ?? RECOMMENDER_GROUP
  const requestsTopic = options.requestsTopic ?? REQUESTS_TOPIC
  const resultsTopic = options.resultsTopic ?? RESULTS_TOPIC
  const maxAge = options.maxRequestAgeMs ?? 60_000
  const stopAll = new AbortController()
  let lastError: string | undefined

  // Bans that change while the catalogue loads reach it through this holder.
  const live: {products?: CatalogIndex} = {}
  const bans = followBans(profile, {topic: options.bansTopic ?? BANS_TOPIC, signal: stopAll.signal, onChange: (_, ban) => live.products?.banChanged(ban.kind, ban.target)})
  await bans.ready
  const products = new CatalogIndex((id, sku) => bans.table.match(id, sku) !== undefined)
  live.products = products

  const lists = new RecommendationLists()
  let markCatalog!: () => void
  let markLists!: () => void
  const catalogLoaded = new Promise<void>((resolve) => (markCatalog = resolve))
  const listsLoaded = new Promise<void>((resolve) => (markLists = resolve))
  const feeding = feedCatalog(profile, products, new Map(), {topic: options.catalogTopic ?? CATALOG_TOPIC, follow: true, signal: stopAll.signal, maxWaitMs: 100, onCaughtUp: markCatalog, onApplied: () => metrics.products.set(products.visible)})
  const following = consumeTopic(profile, options.recommendationsTopic ?? RECOMMENDATIONS_TOPIC, {
    follow: true,
    signal: stopAll.signal,
    maxWaitMs: 100,
    onCaughtUp: markLists,
    onRecord: (record) => {
      if (record.key === null) return
      lists.apply(record.key, record.value as UserRecommendations | null)
      metrics.lists.set(lists.users)
    },
  })

  let replySchema: Awaited<ReturnType<typeof topicValueSchema>>
  try {
    // A reader that fails while loading fails the start (instead of leaving it waiting).
    ;[replySchema] = await Promise.all([topicValueSchema(profile, resultsTopic, RESULTS_TOPIC), Promise.race([Promise.all([catalogLoaded, listsLoaded]), feeding, following, bans.done])])
  } catch (error) {
    stopAll.abort()
    await Promise.allSettled([feeding, following, bans.done])
    throw explainKafkaError(error, profile)
  }
  metrics.products.set(products.visible)
  log.info({lists: lists.users, products: products.visible, bans: bans.table.size}, 'catalogue, bans and recommendations loaded')

  const kafka = createKafka(profile, {role: 'recommender', retries: 8})
  const producer: Producer = kafka.producer({idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false})
  const consumer: Consumer = kafka.consumer({groupId, maxWaitTimeInMs: 10, sessionTimeout: 10_000, heartbeatInterval: 1000, allowAutoTopicCreation: false})
  const registry = createRegistry(profile)
  let consuming = false
  const {done, finish, failed} = workerLifecycle({log, stopping: () => stopAll.signal.aborted, stop: () => stop(), onError: (message) => (lastError = message)})
  feeding.catch(failed)
  following.catch(failed)
  bans.done.catch(failed)

  let startAt: Array<{partition: number; offset: string}> | undefined
  try {
    await producer.connect()
    await consumer.connect()
    await consumer.subscribe({topic: requestsTopic, fromBeginning: false})
    // A new group starts with the requests of the last maxAge, not the whole history and not
    // only what comes after it joins: a client that asked just before it started is answered.
    startAt = await withAdmin(profile, async (admin) => {
      const [committed] = await retryRetriable(() => admin.fetchOffsets({groupId, topics: [requestsTopic]}))
      if (committed?.partitions.some((p) => Number(p.offset) >= 0)) return undefined
      return retryRetriable(() => admin.fetchTopicOffsetsByTimestamp(requestsTopic, Date.now() - maxAge))
    }, {role: 'recommender'})
  } catch (error) {
    stopAll.abort()
    throw explainKafkaError(error, profile)
  }
  let markJoined!: () => void
  const joined = new Promise<void>((resolve) => (markJoined = resolve))
  consumer.on(consumer.events.GROUP_JOIN, () => {
    consuming = true
    markJoined()
  })
  consumer.on(consumer.events.CRASH, ({payload}: {payload: {error: Error}}) => {
    consuming = false
    lastError = payload.error.message
    log.warn({err: lastError}, 'request consumer failed; it restarts')
  })

  await consumer.run({
    eachBatch: async ({batch, resolveOffset, heartbeat, isRunning, isStale}) => {
      const replies: Array<{key: string; value: Buffer}> = []
      const producedAt: number[] = []
      let last: string | undefined
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break
        last = message.offset
        let request: RecommendRequest
        try {
          request = (await registry.decode(message.value!)) as RecommendRequest
        } catch (error) {
          metrics.poison.inc()
          log.warn({partition: batch.partition, offset: message.offset, err: (error as Error).message}, 'skipping a request that cannot be decoded')
          continue
        }
        if (Date.now() - Number(message.timestamp) > maxAge) {
          metrics.expired.inc()
          continue
        }
        const reply = answer(request, lists, products, workerId)
        replies.push({key: request.request_id, value: encodeWire(replySchema.id, replySchema.type, reply)})
        metrics.requests.inc({source: reply.source})
        producedAt.push(Number(message.timestamp))
      }
      if (replies.length > 0) await producer.send({topic: resultsTopic, acks: -1, compression: CompressionTypes.LZ4, messages: replies})
      const written = Date.now()
      for (const at of producedAt) metrics.latency.observe(Math.max(0, written - at) / 1000)
      // Offsets move only past answered requests: a crash before this answers them again (a duplicate reply is harmless).
      if (last !== undefined) resolveOffset(last)
      await heartbeat()
    },
  })
  for (const {partition, offset} of startAt ?? []) consumer.seek({topic: requestsTopic, partition, offset})
  const ready = joined.then(() => log.info({requestsTopic, resultsTopic, group: groupId}, 'answering requests'))

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      log.info('stopping')
      await consumer.disconnect().catch(() => {})
      await producer.disconnect().catch(() => {})
      stopAll.abort()
      await Promise.allSettled([feeding, following, bans.done])
      consuming = false
      log.info('stopped')
      finish()
    })()
    return stopping
  }

  return {
    metrics,
    ready,
    health: () => ({ok: consuming && !stopAll.signal.aborted, loaded: true, consuming, lists: lists.users, products: products.visible, ...(lastError ? {lastError} : {})}),
    stop,
    done,
  }
}
