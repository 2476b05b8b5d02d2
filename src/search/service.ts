import type http from 'node:http'

import {loadBans} from '../bans/table.js'
import type {Profile} from '../config/schema.js'
import {isMktError, MktError, type ExitCodeName} from '../errors.js'
import type {Route} from '../metrics/server.js'
import {CatalogIndex, type SearchHit, type SearchOutcome} from './catalog-index.js'
import {openSearchEvents, searchEvent} from './events.js'
import {CATALOG_TOPIC, feedCatalog, offsetsFromJSON, offsetsStillValid, type Offsets} from '../catalog/feed.js'
import type {Indexer} from './indexer.js'
import {parseSearchQuery, type SearchQuery, type SearchRequest} from './query.js'
import {defaultSnapshotFile, loadSnapshot} from './snapshot.js'

/** What every search answers, from the indexer or from a local copy. */
export interface SearchResponse {
  servedBy: 'indexer' | 'local'
  query: SearchQuery
  total: number
  mode: SearchOutcome['mode']
  tookMs: number
  hits: SearchHit[]
  notice?: string
  /** How the local copy was built when no indexer answered. */
  local?: {indexerUrl: string; snapshot?: {file: string; savedAt: string; products: number}; skipped?: string; caughtUp: number; buildMs: number}
}

function number(params: URLSearchParams, name: string, flag: string): number | undefined {
  const raw = params.get(name)
  if (raw === null || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isFinite(value)) throw new MktError(`${flag} must be a number, got "${raw}".`, `For example ${flag} 1000.`, 'usage')
  return value
}

/** The HTTP form of a search: /search?q=&limit=&category=&brand=&min_price=&max_price=&in_stock=&sort=&user= */
export function requestFromParams(params: URLSearchParams): {request: SearchRequest; userId?: string} {
  const limit = number(params, 'limit', '--limit')
  const minPrice = number(params, 'min_price', '--min-price')
  const maxPrice = number(params, 'max_price', '--max-price')
  const request: SearchRequest = {
    text: params.get('q') ?? '',
    ...(limit !== undefined ? {limit} : {}),
    ...(params.get('category') ? {category: params.get('category')!} : {}),
    ...(params.get('brand') ? {brand: params.get('brand')!} : {}),
    ...(minPrice !== undefined ? {minPrice} : {}),
    ...(maxPrice !== undefined ? {maxPrice} : {}),
    ...(['1', 'true'].includes(params.get('in_stock') ?? '') ? {inStock: true} : {}),
    ...(params.get('sort') ? {sort: params.get('sort')!} : {}),
  }
  const user = params.get('user')
  return {request, ...(user ? {userId: user} : {})}
}

export function paramsFromRequest(request: SearchRequest, userId?: string): URLSearchParams {
  const params = new URLSearchParams({q: request.text ?? ''})
  const set = (name: string, value: string | number | boolean | undefined) => value !== undefined && value !== false && params.set(name, String(value))
  set('limit', request.limit)
  set('category', request.category)
  set('brand', request.brand)
  set('min_price', request.minPrice)
  set('max_price', request.maxPrice)
  set('in_stock', request.inStock)
  set('sort', request.sort)
  set('user', userId)
  return params
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {'Content-Type': 'application/json; charset=utf-8'})
  response.end(JSON.stringify(body))
}

/** GET /search on the indexer: JSON in the shape of SearchResponse; a bad request is a 400 with the error. */
export function searchRoute(indexer: Indexer): Route {
  return async (url, response) => {
    try {
      const {request, userId} = requestFromParams(url.searchParams)
      parseSearchQuery(request)
      await indexer.ready // a search while catching up would miss cards: answer once caught up
      const answer = indexer.search(request, userId)
      const body: SearchResponse = {
        servedBy: 'indexer',
        query: answer.query,
        total: answer.total,
        mode: answer.mode,
        tookMs: answer.tookMs,
        hits: answer.hits,
        ...(answer.notice ? {notice: answer.notice} : {}),
      }
      sendJson(response, 200, body)
    } catch (error) {
      if (!isMktError(error)) throw error
      sendJson(response, 400, {error: error.toJSON()})
    }
  }
}

/** Asks a running indexer; undefined when none answers at that URL. */
export async function searchViaIndexer(indexerUrl: string, request: SearchRequest, userId?: string, timeoutMs = 5000): Promise<SearchResponse | undefined> {
  let response: Response
  try {
    response = await fetch(`${indexerUrl.replace(/\/$/, '')}/search?${paramsFromRequest(request, userId).toString()}`, {signal: AbortSignal.timeout(timeoutMs)})
  } catch {
    return undefined
  }
  const body = (await response.json().catch(() => undefined)) as
    SearchResponse | {error?: {message: string; suggestion?: string; code?: ExitCodeName}} | undefined
  if (response.ok && body && 'hits' in body) return body
  // Not an indexer at all (another service on the port): behave as if none ran.
  if (!body || !('error' in body) || !body.error) return undefined
  throw new MktError(body.error.message, body.error.suggestion, body.error.code ?? 'usage')
}

/**
 * No indexer: build the index here from the latest snapshot plus what Kafka
 * holds after it (or the whole topic), answer, and record the search.
 */
export interface LocalCatalog {
  index: CatalogIndex
  snapshot?: {file: string; savedAt: string; products: number}
  /** Why the snapshot was not used. */
  skipped?: string
  /** Records read after the snapshot (or from the beginning). */
  caughtUp: number
  buildMs: number
}

/** The catalogue index built here: the latest snapshot plus what Kafka holds after it (or the whole topic), with the bans now in force. */
export async function loadLocalCatalog(profile: Profile, options: {topic?: string; snapshotFile?: string} = {}): Promise<LocalCatalog> {
  const topic = options.topic ?? CATALOG_TOPIC
  const file = options.snapshotFile ?? defaultSnapshotFile(profile)
  const started = Date.now()
  const bans = await loadBans(profile)
  const isBanned = (id: string, sku: string) => bans.match(id, sku) !== undefined
  const {snapshot, skipped} = await loadSnapshot(file, {topic, brokers: profile.brokers})
  const saved = snapshot && offsetsFromJSON(snapshot.meta.offsets)
  const valid = saved && (await offsetsStillValid(profile, topic, saved))
  const usable = Boolean(snapshot && saved && valid?.ok)
  const index = usable ? new CatalogIndex(isBanned, snapshot!.data) : new CatalogIndex(isBanned)
  const offsets: Offsets = usable ? saved! : new Map()
  const why = valid && !valid.ok ? valid.reason : skipped
  const caughtUp = await feedCatalog(profile, index, offsets, {topic, follow: false})
  return {
    index,
    ...(usable ? {snapshot: {file, savedAt: snapshot!.meta.savedAt, products: snapshot!.meta.products}} : {}),
    ...(why ? {skipped: why} : {}),
    caughtUp,
    buildMs: Date.now() - started,
  }
}

/**
 * No indexer: build the index here from the latest snapshot plus what Kafka
 * holds after it (or the whole topic), answer, and record the search.
 */
export async function searchLocally(
  profile: Profile,
  request: SearchRequest,
  options: {userId?: string; snapshotFile?: string; topic?: string; indexerUrl?: string} = {},
): Promise<SearchResponse> {
  const query = parseSearchQuery(request) // a bad query fails before any work
  const local = await loadLocalCatalog(profile, options)
  const index = local.index
  const searchStarted = performance.now()
  const outcome = index.search(query)
  const tookMs = performance.now() - searchStarted
  const events = await openSearchEvents(profile)
  events.emit(searchEvent(query, outcome, {...(options.userId ? {userId: options.userId} : {}), latencyMs: tookMs, servedBy: 'local'}))
  await events.close()
  return {
    servedBy: 'local',
    query,
    total: outcome.total,
    mode: outcome.mode,
    tookMs,
    hits: outcome.hits,
    ...(outcome.notice ? {notice: outcome.notice} : {}),
    local: {
      indexerUrl: options.indexerUrl ?? profile.searchUrl,
      ...(local.snapshot ? {snapshot: local.snapshot} : {}),
      ...(local.skipped ? {skipped: local.skipped} : {}),
      caughtUp: local.caughtUp,
      buildMs: local.buildMs,
    },
  }
}

/** `mkt search`: the running indexer when there is one, else a local copy, so a search always works. */
export async function searchCatalog(
  profile: Profile,
  request: SearchRequest,
  options: {userId?: string; indexerUrl?: string; snapshotFile?: string; topic?: string} = {},
): Promise<SearchResponse> {
  parseSearchQuery(request) // validate before talking to anything
  const indexerUrl = options.indexerUrl ?? profile.searchUrl
  return (await searchViaIndexer(indexerUrl, request, options.userId)) ?? searchLocally(profile, request, {...options, indexerUrl})
}
