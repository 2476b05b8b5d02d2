import {setTimeout as sleep} from 'node:timers/promises'

import {validateCard} from '../catalog/validate.js'
import {parseItem, type SourceItem} from './sources.js'

/** Sleeps unless aborted; returns false when the signal fired. */
async function wait(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal?.aborted
  try {
    await sleep(ms, undefined, signal ? {signal} : {})
    return true
  } catch {
    return false
  }
}

/** Limits a stream to `rate` items per second, or spaces items `delayMs` apart. */
export async function* paced<T>(items: AsyncIterable<T>, options: {rate?: number; delayMs?: number; signal?: AbortSignal}): AsyncGenerator<T> {
  const started = Date.now()
  let count = 0
  for await (const item of items) {
    if (count > 0 && options.delayMs !== undefined && !(await wait(options.delayMs, options.signal))) return
    if (options.rate !== undefined && !(await wait(started + (count * 1000) / options.rate - Date.now(), options.signal))) return
    count++
    yield item
  }
}

/** A live shop: the same cards again and again with fresh prices (within ±10%) and updated_at. */
export function refreshCard(value: unknown, now = new Date()): unknown {
  if (typeof value !== 'object' || value === null) return value
  const card = value as {price?: {amount?: unknown}; updated_at?: unknown}
  const price =
    card.price && typeof card.price.amount === 'number'
      ? {...card.price, amount: Math.round(card.price.amount * (0.9 + Math.random() * 0.2) * 100) / 100}
      : card.price
  return {...card, price, updated_at: now.toISOString()}
}

/**
 * Replays a source until aborted. The first pass is sent as is (bad records
 * reach the DLQ once); later passes carry only cards that validate, refreshed.
 */
export async function* continuous(open: () => Promise<AsyncIterable<SourceItem> | Iterable<SourceItem>>, signal?: AbortSignal): AsyncGenerator<SourceItem> {
  for (let pass = 0; !signal?.aborted; pass++) {
    let yielded = 0
    for await (const item of await open()) {
      if (signal?.aborted) return
      if (pass === 0) {
        yielded++
        yield item
        continue
      }
      const parsed = parseItem(item)
      if (parsed.parseError !== undefined) continue
      const value = refreshCard(parsed.value)
      if (!validateCard(value).ok) continue
      yielded++
      yield {origin: item.origin, value}
    }
    if (yielded === 0) return // nothing valid to replay
  }
}
