import type {Profile} from '../config/schema.js'
import {consumeTopic} from '../consume/consume.js'
import {BANS_TOPIC, parseBanKey, type Ban, type BanValue} from './ban.js'

/**
 * The ban list as a table, built from the compacted topic: the latest value
 * per key wins and a tombstone removes the key. The topic is the only source
 * of truth; this is a view of it.
 */
export class BanTable {
  private readonly bans = new Map<string, Ban>()

  /** Applies one record of banned-products; returns what changed, if anything. */
  apply(key: string | null, value: unknown): {change: 'banned' | 'unbanned'; ban: Ban} | undefined {
    if (key === null) return undefined
    const parsed = parseBanKey(key)
    if (!parsed) return undefined
    if (value === null || value === undefined) {
      const previous = this.bans.get(key)
      this.bans.delete(key)
      return previous ? {change: 'unbanned', ban: previous} : undefined
    }
    const ban: Ban = {key, ...parsed, ...(value as BanValue)}
    this.bans.set(key, ban)
    return {change: 'banned', ban}
  }

  /** The ban that blocks a card, by product id first, then by SKU. */
  match(productId: string | undefined, sku: string | undefined): Ban | undefined {
    return (productId === undefined ? undefined : this.bans.get(`product:${productId}`)) ?? (sku === undefined ? undefined : this.bans.get(`sku:${sku}`))
  }

  get(key: string): Ban | undefined {
    return this.bans.get(key)
  }

  get size(): number {
    return this.bans.size
  }

  /** Newest first. */
  list(): Ban[] {
    return [...this.bans.values()].sort((a, b) => b.banned_at.localeCompare(a.banned_at))
  }
}

/** Reads the whole ban list once (for `ban list`, `ban remove`). */
export async function loadBans(profile: Profile, topic = BANS_TOPIC): Promise<BanTable> {
  const table = new BanTable()
  await consumeTopic(profile, topic, {onRecord: (r) => table.apply(r.key, r.value)})
  return table
}

export interface FollowedBans {
  table: BanTable
  /** Resolves once everything that was in the topic at start has been applied. */
  ready: Promise<void>
  /** Resolves when following stops (signal), rejects if reading fails. */
  done: Promise<void>
}

/** Reads the ban list to the end, then keeps applying new bans and unbans as they arrive. */
export function followBans(
  profile: Profile,
  options: {topic?: string; signal: AbortSignal; onChange?: (change: 'banned' | 'unbanned', ban: Ban) => void},
): FollowedBans {
  const table = new BanTable()
  let markReady!: () => void
  let failReady!: (error: unknown) => void
  const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failReady = reject)))
  const done = consumeTopic(profile, options.topic ?? BANS_TOPIC, {
    follow: true,
    signal: options.signal,
    onCaughtUp: markReady,
    onRecord: (r) => {
      const changed = table.apply(r.key, r.value)
      if (changed) options.onChange?.(changed.change, changed.ban)
    },
  }).then(
    () => markReady(),
    (error: unknown) => {
      failReady(error)
      throw error
    },
  )
  done.catch(() => {})
  return {table, ready, done}
}
