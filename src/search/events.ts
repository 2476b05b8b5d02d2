import {randomUUID} from 'node:crypto'

import type {Profile} from '../config/schema.js'
import {EventSink} from '../events/sink.js'
import type {SearchOutcome} from './catalog-index.js'
import type {SearchQuery} from './query.js'
import {TOPICS} from '../topics/names.js'

export const SEARCHES_TOPIC = TOPICS.searches
export const ANONYMOUS = 'anonymous'

/** One search as written to client-searches (compose/schemas/search-event.avsc). */
export interface SearchEvent {
  event_id: string
  user_id: string
  query: string
  category: string | null
  brand: string | null
  min_price: number | null
  max_price: number | null
  in_stock: boolean
  sort: string
  limit: number
  result_ids: string[]
  total_hits: number
  match_mode: string
  latency_ms: number
  served_by: 'indexer' | 'local'
  searched_at: string
}

export function searchEvent(
  query: SearchQuery,
  outcome: SearchOutcome,
  meta: {userId?: string; latencyMs: number; servedBy: SearchEvent['served_by']},
): SearchEvent {
  return {
    event_id: randomUUID(),
    user_id: meta.userId ?? ANONYMOUS,
    query: query.text,
    category: query.category ?? null,
    brand: query.brand ?? null,
    min_price: query.minPrice ?? null,
    max_price: query.maxPrice ?? null,
    in_stock: query.inStock ?? false,
    sort: query.sort,
    limit: query.limit,
    result_ids: outcome.hits.map((h) => h.product_id),
    total_hits: outcome.total,
    match_mode: outcome.mode,
    latency_ms: meta.latencyMs,
    served_by: meta.servedBy,
    searched_at: new Date().toISOString(),
  }
}

/** The sink of search events: one per searching process. */
export type SearchEventSink = EventSink<SearchEvent>

export function openSearchEvents(profile: Profile, topic = SEARCHES_TOPIC, onDrop?: (topic: string) => void): Promise<SearchEventSink> {
  return EventSink.open<SearchEvent>(profile, {topic, schemaTopic: SEARCHES_TOPIC, key: (e) => e.user_id, role: 'search', ...(onDrop ? {onDrop} : {})})
}
