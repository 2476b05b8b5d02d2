import {addBans, BANS_TOPIC, loadBans, removeBan, type Ban, type BanResult} from '../bans/index.js'
import {openViewEvents, viewEvent, type ViewEvent, type ViewEventSink} from '../client/views.js'
import type {Registry} from 'prom-client'

import type {Profile} from '../config/schema.js'
import type {Logger} from '../log-structured.js'
import {RecommendClient, type RecommendInput, type RecommendReply, type RecommendRequest} from '../recommend/request.js'
import {startIndexer, type Answer, type Indexer} from '../search/indexer.js'
import type {SearchRequest} from '../search/query.js'
import {CardSession, type BatchOutcome, type BatchSendOptions} from '../shop/card-session.js'
import type {TableProduct} from '../catalog/product-table.js'
import type {GatewayPrincipal} from './keys.js'

/** What the gateway's routes call: the same library functions the CLI uses, opened once and kept. */
export interface GatewayBackends {
  /** A request body of cards (JSON bytes), parsed, checked and encoded as `mkt shop send` does, then produced. */
  sendCards(body: Uint8Array, options: BatchSendOptions): Promise<BatchOutcome>
  product(id: string): {product: TableProduct; banned: boolean} | undefined
  search(request: SearchRequest, userId?: string): Answer
  recordView(userId: string, productId: string): Promise<ViewEvent>
  recommend(input: RecommendInput, waitMs: number): Promise<{request: RecommendRequest; reply?: RecommendReply}>
  recommendation(requestId: string): ReturnType<RecommendClient['status']>
  ban(kind: 'product' | 'sku', target: string, reason: string, by: string): Promise<BanResult>
  unban(kind: 'product' | 'sku', target: string): Promise<Ban>
  bans(): Promise<Ban[]>
  health(): {ok: boolean; search: ReturnType<Indexer['health']>}
  /** The index's metrics registry (process metrics, search metrics), which the gateway's own join. */
  registry?: Registry
  /** Settles when the gateway's index stops: rejects when reading the catalogue failed. */
  done: Promise<void>
  /** Resolves once the index has caught up with the catalogue. */
  ready: Promise<void>
  close(): Promise<void>
}

export interface BackendOptions {
  /** The profile of each Kafka principal: `gateway` (its own index), and the one each kind of key acts as. */
  profiles: Record<GatewayPrincipal, Profile>
  logger: Logger
  snapshotFile?: string
  signal?: AbortSignal
  /** Other topics than the platform's (staging, tests): where cards go, the catalogue the index reads, the ban list. */
  topics?: GatewayTopics
}

export interface GatewayTopics {
  cards?: string
  dlq?: string
  catalog?: string
  bans?: string
}

/** Opens lazily what a kind of call needs, once; a failed open is tried again on the next call. */
function lazy<T>(open: () => Promise<T>): {get: () => Promise<T>; opened: () => T | undefined} {
  let value: T | undefined
  let opening: Promise<T> | undefined
  return {
    get: () => {
      opening ??= open().then(
        (v) => (value = v),
        (error: unknown) => {
          opening = undefined
          throw error
        },
      )
      return opening
    },
    opened: () => value,
  }
}

/**
 * The gateway's own search index of filtered-products (as the gateway
 * principal, with its own snapshot), the shop producer as the shop
 * principal, views and recommendations as the client, bans as the admin:
 * what a key may do is also what Kafka's ACLs let its principal do.
 */
export async function openBackends(options: BackendOptions): Promise<GatewayBackends> {
  const {profiles} = options
  const topics = options.topics ?? {}
  const bansTopic = topics.bans ?? BANS_TOPIC
  const indexer = await startIndexer(profiles.gateway, {
    logger: options.logger,
    ...(topics.catalog ? {topic: topics.catalog} : {}),
    bansTopic,
    ...(options.snapshotFile ? {snapshotFile: options.snapshotFile} : {}),
    ...(options.signal ? {signal: options.signal} : {}),
  })
  const cards = lazy(() =>
    CardSession.open(profiles.shop, {role: 'gateway-shop', ...(topics.cards ? {topic: topics.cards} : {}), ...(topics.dlq ? {dlqTopic: topics.dlq} : {})}),
  )
  const views = lazy<ViewEventSink>(() => openViewEvents(profiles.client))
  const recommendations = lazy(() => RecommendClient.open(profiles.client))
  return {
    sendCards: async (body, sendOptions) => (await cards.get()).sendJson(body, sendOptions),
    product: (id) => indexer.lookup(id),
    search: (request, userId) => indexer.search(request, userId),
    recordView: async (userId, productId) => {
      const sink = await views.get()
      const event = viewEvent(userId, productId, 'gateway')
      await sink.write(event)
      return event
    },
    recommend: async (input, waitMs) => (await recommendations.get()).ask(input, waitMs),
    recommendation: (requestId) => recommendations.opened()?.status(requestId),
    ban: async (kind, target, reason, by) =>
      (await addBans(profiles.admin, [{...(kind === 'product' ? {productId: target} : {sku: target}), reason, bannedBy: by}], {topic: bansTopic}))[0]!,
    unban: (kind, target) => removeBan(profiles.admin, kind === 'product' ? {productId: target} : {sku: target}, {topic: bansTopic}),
    bans: async () => (await loadBans(profiles.admin, bansTopic)).list(),
    registry: indexer.metrics.registry,
    done: indexer.done,
    ready: indexer.ready,
    health: () => {
      const search = indexer.health()
      return {ok: search.ok, search}
    },
    close: async () => {
      await Promise.allSettled([indexer.stop(), cards.opened()?.close(), views.opened()?.close(), recommendations.opened()?.close()])
    },
  }
}
