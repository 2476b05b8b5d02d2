import os from 'node:os'
import {BANS_TOPIC} from '../bans/ban.js'
import {followBans, type FollowedBans} from '../bans/table.js'
import type {Profile} from '../config/schema.js'
import {collectGarbage} from '../collect-garbage.js'
import type {TableProduct} from '../catalog/product-table.js'
import {unlessStopped, workerLifecycle} from '../lifecycle.js'
import type {Logger} from '../log-structured.js'
import {CatalogIndex, type SearchOutcome} from './catalog-index.js'
import {openSearchEvents, searchEvent} from './events.js'
import {CATALOG_TOPIC, feedCatalog, offsetsFromJSON, offsetsStillValid, offsetsToJSON, type Offsets} from '../catalog/feed.js'
import {certificateExpiryGauge} from '../metrics/tls-expiry.js'
import {searchMetrics, type SearchMetrics} from './metrics.js'
import {parseSearchQuery, type SearchQuery, type SearchRequest} from './query.js'
import {defaultSnapshotFile, loadSnapshot, saveSnapshot, SNAPSHOT_VERSION} from './snapshot.js'

export interface IndexerOptions {
  logger: Logger
  topic?: string
  bansTopic?: string
  searchesTopic?: string
  snapshotFile?: string
  /** Seconds between snapshots (only when something changed); 0 turns periodic snapshots off. */
  snapshotIntervalS?: number
  /** Ignore the snapshot and read the topic from the beginning. */
  rebuild?: boolean
  /** How long a fetch waits for new cards: the floor of freshness. */
  maxWaitMs?: number
  /** After catching up, for each card made searchable: ms since it was produced (benchmarks). */
  onFresh?: (ageMs: number, productId: string | null) => void
  /** Aborts a start in progress (SIGTERM while starting). */
  signal?: AbortSignal
}

export interface Answer extends SearchOutcome {
  query: SearchQuery
  tookMs: number
}

export interface Indexer {
  metrics: SearchMetrics
  /** Resolves once bans are loaded and the catalogue is caught up to where it ended at start. */
  ready: Promise<void>
  /** Validates and answers a search, and records it in client-searches. */
  search(request: SearchRequest, userId?: string): Answer
  health(): {ok: boolean; caughtUp: boolean; products: number; visible: number; bans: number; lastSnapshot?: string; lastError?: string}
  /** The latest accepted version of a product and whether it is banned now; undefined when never accepted. */
  lookup(id: string): {product: TableProduct; banned: boolean} | undefined
  /** Writes a snapshot now (also done periodically and on stop). */
  snapshot(): Promise<{file: string; bytes: number; ms: number} | undefined>
  /** Stops reading, writes a final snapshot, flushes search events. */
  stop(): Promise<void>
  done: Promise<void>
  offsets(): Offsets
}

/**
 * `mkt index start`: keeps a search index of filtered-products, starting from
 * the last snapshot and its offsets when there is one, follows the ban list
 * live, and answers searches.
 */
export async function startIndexer(profile: Profile, options: IndexerOptions): Promise<Indexer> {
  const log = options.logger
  const topic = options.topic ?? CATALOG_TOPIC
  const file = options.snapshotFile ?? defaultSnapshotFile(profile)
  const metrics = searchMetrics({worker: `${os.hostname()}-${process.pid}`})
  certificateExpiryGauge(metrics.registry, profile)
  const stopAll = new AbortController()
  let lastError: string | undefined
  let lastSnapshot: string | undefined

  let index: CatalogIndex | undefined
  const bans: FollowedBans = followBans(profile, {
    topic: options.bansTopic ?? BANS_TOPIC,
    signal: stopAll.signal,
    onChange: (change, ban) => {
      metrics.bans.inc({change})
      if (!index) return // the initial list: applied when the index is built
      index.banChanged(ban.kind, ban.target)
      log.info({change, ban: ban.key}, change === 'banned' ? 'ban applied to the index' : 'ban lifted in the index')
    },
  })
  let catalog: CatalogIndex
  let events: Awaited<ReturnType<typeof openSearchEvents>>
  let offsets: Offsets = new Map()
  try {
    // The snapshot is read (and its offsets checked against the topic) while the ban list loads: a restart waits for the slower of the two, not both.
    const started = Date.now()
    const loading = options.rebuild
      ? undefined
      : loadSnapshot(file, {topic, brokers: profile.brokers}).then(async ({snapshot, skipped}) => {
          const saved = snapshot && offsetsFromJSON(snapshot.meta.offsets)
          return {snapshot, skipped, saved, valid: saved ? await offsetsStillValid(profile, topic, saved) : undefined}
        })
    loading?.catch(() => {}) // awaited below; a stop while the bans load must not leave it unhandled
    await unlessStopped(bans.ready, options.signal)
    const isBanned = (id: string, sku: string) => bans.table.match(id, sku) !== undefined

    if (loading) {
      const {snapshot, skipped, saved, valid} = await unlessStopped(loading, options.signal)
      if (snapshot && saved && valid?.ok) {
        index = new CatalogIndex(isBanned, snapshot.data)
        offsets = saved
        log.info({file, products: index.size, savedAt: snapshot.meta.savedAt, ms: Date.now() - started}, 'snapshot loaded; catching up from its offsets')
      } else
        log.info({file, reason: skipped ?? (valid && !valid.ok ? valid.reason : undefined)}, 'no usable snapshot; reading the catalogue from the beginning')
    }
    index ??= new CatalogIndex(isBanned)
    catalog = index
    events = await openSearchEvents(profile, options.searchesTopic, (topic) => {
      metrics.eventsDropped.inc({topic})
    })
  } catch (error) {
    // A failure while starting must not leave the ban reader running behind the error.
    stopAll.abort()
    await bans.done.catch(() => {})
    throw error
  }

  const gauges = () => {
    metrics.products.set({kind: 'visible'}, catalog.visible)
    metrics.products.set({kind: 'banned'}, catalog.size - catalog.visible)
    metrics.products.set({kind: 'texts'}, catalog.texts)
  }
  gauges()

  let caughtUp = false
  let dirty = false
  let markReady!: () => void
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  const feeding = feedCatalog(profile, catalog, offsets, {
    topic,
    follow: true,
    signal: stopAll.signal,
    maxWaitMs: options.maxWaitMs ?? 50,
    onCaughtUp: () => {
      caughtUp = true
      catalog.pack()
      collectGarbage()
      gauges()
      const {rss, heapUsed, external} = process.memoryUsage()
      log.info(
        {
          products: catalog.size,
          visible: catalog.visible,
          texts: catalog.texts,
          rssMiB: Math.round(rss / 2 ** 20),
          heapUsedMiB: Math.round(heapUsed / 2 ** 20),
          externalMiB: Math.round(external / 2 ** 20),
        },
        'caught up; serving fresh results',
      )
      markReady()
    },
    onApplied: (record, change) => {
      dirty = true
      metrics.records.inc({change})
      if (!caughtUp) return
      const ageMs = Math.max(0, Date.now() - Date.parse(record.timestamp))
      metrics.freshness.observe(ageMs / 1000)
      metrics.lag.set(ageMs / 1000)
      options.onFresh?.(ageMs, record.key)
      gauges()
    },
  })

  let snapshotting: Promise<{file: string; bytes: number; ms: number} | undefined> | undefined
  const snapshot = () => {
    snapshotting ??= (async () => {
      const started = Date.now()
      // Taken synchronously: the offsets are exactly those of the index contents.
      const data = catalog.snapshot()
      const meta = {
        format: 'mkt-search-snapshot' as const,
        version: SNAPSHOT_VERSION,
        topic,
        brokers: profile.brokers,
        savedAt: new Date().toISOString(),
        offsets: offsetsToJSON(offsets),
        products: catalog.size,
        texts: catalog.texts,
      }
      dirty = false
      try {
        const {bytes} = await saveSnapshot(file, meta, data)
        const ms = Date.now() - started
        lastSnapshot = meta.savedAt
        metrics.snapshots.inc()
        metrics.snapshotBytes.set(bytes)
        metrics.snapshotSeconds.set(ms / 1000)
        log.info({file, bytes, ms, products: meta.products}, 'snapshot written')
        return {file, bytes, ms}
      } catch (error) {
        dirty = true
        lastError = `snapshot: ${(error as Error).message}`
        log.warn({file, err: (error as Error).message}, 'could not write the snapshot')
        return undefined
      }
    })().finally(() => (snapshotting = undefined))
    return snapshotting
  }
  const intervalS = options.snapshotIntervalS ?? 30
  const timer = intervalS > 0 ? setInterval(() => dirty && caughtUp && void snapshot(), intervalS * 1000) : undefined
  timer?.unref()

  const {done, finish, failed} = workerLifecycle({log, stopping: () => stopAll.signal.aborted, stop: () => stop(), onError: (message) => (lastError = message)})
  feeding.catch(failed)
  bans.done.catch(failed)

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      log.info({products: catalog.size}, 'stopping')
      stopAll.abort()
      clearInterval(timer)
      await feeding.catch(() => {})
      await bans.done.catch(() => {})
      await snapshotting
      if (caughtUp || dirty) await snapshot()
      await events.close().catch((error: Error) => log.warn({err: error.message}, 'search events lost'))
      log.info({products: catalog.size}, 'stopped')
      finish()
    })()
    return stopping
  }

  const search = (request: SearchRequest, userId?: string): Answer => {
    let query: SearchQuery
    try {
      query = parseSearchQuery(request)
    } catch (error) {
      metrics.queryErrors.inc()
      throw error
    }
    const started = performance.now()
    const outcome = catalog.search(query)
    const tookMs = performance.now() - started
    metrics.latency.observe(tookMs / 1000)
    metrics.queries.inc({mode: outcome.mode})
    events.emit(searchEvent(query, outcome, {...(userId ? {userId} : {}), latencyMs: tookMs, servedBy: 'indexer'}))
    return {...outcome, query, tookMs}
  }

  // A stop before the catch-up rejects ready; nobody may be waiting for it (SIGTERM while catching up), so it must not crash the process.
  const readyOrStopped = Promise.race([ready, done.then(() => Promise.reject(new Error('the indexer stopped before it caught up')))])
  readyOrStopped.catch(() => {})
  return {
    metrics,
    // Settles with the worker too: a reader that fails (say, a missing topic) fails `ready` instead of leaving it waiting.
    ready: readyOrStopped,
    search,
    lookup: (id) => catalog.lookup(id),
    health: () => ({
      ok: caughtUp && !stopAll.signal.aborted,
      caughtUp,
      products: catalog.size,
      visible: catalog.visible,
      bans: bans.table.size,
      ...(lastSnapshot ? {lastSnapshot} : {}),
      ...(lastError ? {lastError} : {}),
      ...(events.lastError ? {lastError: `search events: ${events.lastError}`} : {}),
    }),
    snapshot,
    stop,
    done,
    offsets: () => new Map(offsets),
  }
}
