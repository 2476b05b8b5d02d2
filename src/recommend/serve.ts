import os from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

import {BANS_TOPIC} from '../bans/ban.js'
import {followBans} from '../bans/table.js'
import type {Profile} from '../config/schema.js'
import {consumeTopic} from '../consume/consume.js'
import {explainKafkaError, retryRetriable, withAdmin} from '../kafka/client.js'
import {openGroupConsumer, type GroupConsumer} from '../kafka/group.js'
import {groupLagGauge} from '../metrics/registry.js'
import {certificateExpiryGauge} from '../metrics/tls-expiry.js'
import {KafkaProducer} from '../kafka/producer.js'
import {unlessStopped, workerLifecycle} from '../lifecycle.js'
import type {Logger} from '../log-structured.js'
import {encodeWire} from '../schema/avro.js'
import type {Message} from '../kafka/rdkafka.js'
import {createRegistry} from '../schema/registry-client.js'
import {topicValueSchema} from '../schema/subjects.js'
import {CATALOG_TOPIC, feedCatalog} from '../catalog/feed.js'
import {ProductTable} from '../catalog/product-table.js'
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
  /** Aborts a start in progress (SIGTERM while starting). */
  signal?: AbortSignal
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
  groupLagGauge(metrics.registry, profile, groupId, requestsTopic)
  certificateExpiryGauge(metrics.registry, profile)
  const resultsTopic = options.resultsTopic ?? RESULTS_TOPIC
  const maxAge = options.maxRequestAgeMs ?? 60_000
  const stopAll = new AbortController()
  let lastError: string | undefined

  // Bans that change while the catalogue loads reach it through this holder.
  const live: {products?: ProductTable} = {}
  const bans = followBans(profile, {
    topic: options.bansTopic ?? BANS_TOPIC,
    signal: stopAll.signal,
    onChange: (_, ban) => live.products?.banChanged(ban.kind, ban.target),
  })
  try {
    await unlessStopped(bans.ready, options.signal)
  } catch (error) {
    stopAll.abort()
    await bans.done.catch(() => {})
    throw error
  }
  const products = new ProductTable((id, sku) => bans.table.match(id, sku) !== undefined)
  live.products = products

  const lists = new RecommendationLists()
  let markCatalog!: () => void
  let markLists!: () => void
  const catalogLoaded = new Promise<void>((resolve) => (markCatalog = resolve))
  const listsLoaded = new Promise<void>((resolve) => (markLists = resolve))
  const feeding = feedCatalog(profile, products, new Map(), {
    topic: options.catalogTopic ?? CATALOG_TOPIC,
    follow: true,
    signal: stopAll.signal,
    maxWaitMs: 100,
    onCaughtUp: markCatalog,
    onApplied: () => metrics.products.set(products.visible),
  })
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
    ;[replySchema] = await unlessStopped(
      Promise.all([
        topicValueSchema(profile, resultsTopic, RESULTS_TOPIC),
        Promise.race([Promise.all([catalogLoaded, listsLoaded]), feeding, following, bans.done]),
      ]),
      options.signal,
    )
  } catch (error) {
    stopAll.abort()
    await Promise.allSettled([feeding, following, bans.done])
    throw explainKafkaError(error, profile)
  }
  metrics.products.set(products.visible)
  log.info({lists: lists.users, products: products.visible, bans: bans.table.size}, 'catalogue, bans and recommendations loaded')

  const registry = createRegistry(profile)
  const {done, finish, failed} = workerLifecycle({log, stopping: () => stopAll.signal.aborted, stop: () => stop(), onError: (message) => (lastError = message)})
  feeding.catch(failed)
  following.catch(failed)
  bans.done.catch(failed)

  let producer: KafkaProducer | undefined
  let consumer: GroupConsumer
  let markJoined!: () => void
  const joined = new Promise<void>((resolve) => (markJoined = resolve))
  try {
    // A new group starts with the requests of the last maxAge, not the whole history and not
    // only what comes after it joins: a client that asked just before it started is answered.
    await withAdmin(
      profile,
      async (admin) => {
        const [committed] = await retryRetriable(() => admin.fetchOffsets({groupId, topics: [requestsTopic]}))
        if (committed?.partitions.some((p) => Number(p.offset) >= 0)) return
        const recent = await retryRetriable(() => admin.fetchTopicOffsetsByTimestamp(requestsTopic, Date.now() - maxAge))
        await admin.setOffsets({groupId, topic: requestsTopic, partitions: recent.map(({partition, offset}) => ({partition, offset}))}).catch(() => {}) // another member started it first
      },
      {role: 'recommender'},
    )
    producer = await unlessStopped(KafkaProducer.open(profile, {role: 'recommender', lingerMs: 0}), options.signal, (late) => late.close())
    consumer = await unlessStopped(
      openGroupConsumer(profile, {
        role: 'recommender',
        groupId,
        topic: requestsTopic,
        startFrom: 'latest',
        autoCommit: true,
        maxWaitMs: 10,
        batchSize: 500,
        onAssign: (partitions) => {
          log.info({partitions}, 'partitions assigned')
          markJoined()
        },
        onRevoke: async () => {
          await current.catch(() => {})
        },
        onStranded: (partitions) =>
          log.warn(
            {partitions},
            'assigned partitions have not been fetched for 20 s; assigning them again (librdkafka can strand them after a coordinator moves)',
          ),
        onError: (error) => {
          lastError = error.message
          log.warn({err: error.message}, 'request consumer error')
        },
      }),
      options.signal,
      (late) => late.close(),
    )
  } catch (error) {
    stopAll.abort()
    await Promise.allSettled([feeding, following, bans.done, producer?.close()])
    throw explainKafkaError(error, profile)
  }
  const replyProducer = producer

  const answerBatch = async (messages: Message[]) => {
    const replies: Array<{key: string; value: Buffer}> = []
    const producedAt: number[] = []
    const next = new Map<number, bigint>()
    for (const message of messages) {
      next.set(message.partition, BigInt(message.offset) + 1n)
      let request: RecommendRequest
      try {
        request = (await registry.decode(message.value!)) as RecommendRequest
      } catch (error) {
        metrics.poison.inc()
        log.warn({partition: message.partition, offset: message.offset, err: (error as Error).message}, 'skipping a request that cannot be decoded')
        continue
      }
      if (Date.now() - (message.timestamp ?? 0) > maxAge) {
        metrics.expired.inc()
        continue
      }
      const reply = answer(request, lists, products, workerId)
      replies.push({key: request.request_id, value: encodeWire(replySchema.id, replySchema.type, reply)})
      metrics.requests.inc({source: reply.source})
      producedAt.push(message.timestamp ?? Date.now())
    }
    await replyProducer.send(resultsTopic, replies)
    const written = Date.now()
    for (const at of producedAt) metrics.latency.observe(Math.max(0, written - at) / 1000)
    // Offsets move only past answered requests: a crash before this answers them again (a duplicate reply is harmless).
    consumer.storeOffsets([...next].filter(([p]) => consumer.owns(p)).map(([partition, offset]) => ({partition, offset})))
  }

  let current: Promise<void> = Promise.resolve()
  const loop = async () => {
    while (!stopAll.signal.aborted) {
      await consumer.settled()
      const items = await consumer.next()
      const messages = consumer.owned(items)
      if (messages.length === 0 || stopAll.signal.aborted) continue
      current = answerBatch(messages)
      try {
        await current
      } catch (error) {
        lastError = (error as Error).message
        log.warn({err: lastError}, 'answering failed; the requests are read again')
        await consumer.rewind(messages)
        await sleep(500)
      }
    }
  }
  const running = loop()
  running.catch(failed)
  const ready = joined.then(() => log.info({requestsTopic, resultsTopic, group: groupId}, 'answering requests'))

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      log.info('stopping')
      stopAll.abort()
      await running.catch(() => {})
      await consumer.close()
      await replyProducer.close()
      await Promise.allSettled([feeding, following, bans.done])
      log.info('stopped')
      finish()
    })()
    return stopping
  }

  return {
    metrics,
    ready,
    health: () => ({
      ok: consumer.joined() && !stopAll.signal.aborted,
      loaded: true,
      consuming: consumer.joined(),
      lists: lists.users,
      products: products.visible,
      ...(lastError ? {lastError} : {}),
    }),
    stop,
    done,
  }
}
