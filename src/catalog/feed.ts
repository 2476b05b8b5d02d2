import type {ProductCard} from './card.js'
import type {Profile} from '../config/schema.js'
import {consumeTopic, type ConsumedRecord} from '../consume/consume.js'
import {retryRetriable, withAdmin} from '../kafka/client.js'
import {TOPICS} from '../topics/names.js'

export const CATALOG_TOPIC = TOPICS.catalog

/** Next offset to read per partition: what a snapshot stores and a restart resumes from. */
export type Offsets = Map<number, bigint>

export function offsetsToJSON(offsets: Offsets): Record<string, string> {
  return Object.fromEntries([...offsets].map(([p, o]) => [String(p), o.toString()]))
}

export function offsetsFromJSON(json: Record<string, string>): Offsets {
  return new Map(Object.entries(json).map(([p, o]) => [Number(p), BigInt(o)]))
}

/**
 * Whether saved offsets still fit the topic: an offset past a partition's end
 * means the topic was deleted and created again, so the snapshot describes
 * records that no longer exist.
 */
export async function offsetsStillValid(profile: Profile, topic: string, offsets: Offsets): Promise<{ok: true} | {ok: false; reason: string}> {
  const current = await withAdmin(profile, (admin) => retryRetriable(() => admin.fetchTopicOffsets(topic)), {role: 'search'})
  for (const {partition, high} of current) {
    const saved = offsets.get(partition)
    if (saved !== undefined && saved > BigInt(high))
      return {ok: false, reason: `partition ${partition} of ${topic} ends at ${high}, before the saved offset ${saved} (the topic was recreated)`}
  }
  return {ok: true}
}

/** What the filtered catalogue is read into: the search index, the recommender's product table. */
export interface CatalogSink {
  upsert(card: ProductCard): void
  /** A tombstone; false when the product was not there. */
  remove(id: string): boolean
}

export interface FeedOptions {
  topic?: string
  /** Keep following after catching up (the indexer), or stop at the end (a one-off search). */
  follow: boolean
  signal?: AbortSignal
  maxWaitMs?: number
  onCaughtUp?: () => void
  /** After each record is applied: its produce timestamp, for freshness. */
  onApplied?: (record: ConsumedRecord, change: 'upsert' | 'delete' | 'skipped') => void
}

/**
 * Reads the filtered catalogue into a sink from the given offsets (read
 * committed, so only cards whose filter transaction committed), advancing
 * the offsets as it goes. A tombstone removes the product; a record that is
 * not a decodable card is skipped and reported.
 */
export async function feedCatalog(profile: Profile, index: CatalogSink, offsets: Offsets, options: FeedOptions): Promise<number> {
  let applied = 0
  await consumeTopic(profile, options.topic ?? CATALOG_TOPIC, {
    follow: options.follow,
    startOffsets: offsets,
    ...(options.signal ? {signal: options.signal} : {}),
    ...(options.maxWaitMs !== undefined ? {maxWaitMs: options.maxWaitMs} : {}),
    maxBytes: 2 * 1024 * 1024, // small fetches: catching up a large topic must not balloon the heap
    ...(options.onCaughtUp ? {onCaughtUp: options.onCaughtUp} : {}),
    onRecord: (record) => {
      let change: 'upsert' | 'delete' | 'skipped' = 'skipped'
      if (record.value === null && record.key !== null) {
        change = index.remove(record.key) ? 'delete' : 'skipped'
      } else if (record.format === 'avro' && isCard(record.value)) {
        index.upsert(record.value)
        change = 'upsert'
      }
      offsets.set(record.partition, BigInt(record.offset) + 1n)
      applied++
      options.onApplied?.(record, change)
    },
  })
  return applied
}

function isCard(value: unknown): value is ProductCard {
  const card = value as Partial<ProductCard> | null
  return typeof card?.product_id === 'string' && typeof card.name === 'string' && typeof card.price?.amount === 'number' && typeof card.updated_at === 'string'
}
