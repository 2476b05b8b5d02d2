/**
 * One side of bench:search in its own process (so its memory is its own):
 * `index N` builds the real search index over N generated cards, snapshots
 * and reloads it, and times the query set; `naive N` times the same queries
 * as a linear scan over the same cards. Prints one JSON object.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {
  analyze,
  CatalogIndex,
  loadSnapshot,
  normalizeLabel,
  parseSearchQuery,
  saveSnapshot,
  SNAPSHOT_VERSION,
  topK,
  type SearchQuery,
} from '../../src/search/index.js'
import {benchCards, benchQueries} from './search-queries.js'

const [mode, countArg] = process.argv.slice(2)
const COUNT = Number(countArg)
const SEED = 11
const queries = benchQueries(SEED).map((q) => parseSearchQuery(q))

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** Every query once to warm up, then `rounds` times each, timed one by one. */
function timeQueries(run: (q: SearchQuery) => unknown, rounds: number): {p50: number; p99: number; max: number; count: number} {
  for (const q of queries) run(q)
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const started = performance.now()
      run(q)
      times.push(performance.now() - started)
    }
  }
  times.sort((a, b) => a - b)
  return {p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1)!, count: times.length}
}

const settledRss = () => {
  globalThis.gc?.()
  return process.memoryUsage().rss
}

async function indexSide(): Promise<unknown> {
  const index = new CatalogIndex()
  let indexMs = 0
  for (const card of benchCards({count: COUNT, seed: SEED})) {
    const started = performance.now()
    index.upsert(card)
    indexMs += performance.now() - started
  }
  const rss = settledRss()
  const latency = timeQueries((q) => index.search(q), COUNT >= 1_000_000 ? 20 : 50)

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-bench-snap-')), 'catalog.snapshot')
  let started = performance.now()
  const meta = {
    format: 'mkt-search-snapshot' as const,
    version: SNAPSHOT_VERSION,
    topic: 'bench',
    brokers: ['bench'],
    savedAt: new Date().toISOString(),
    offsets: {},
    products: index.size,
    texts: index.texts,
  }
  const {bytes} = await saveSnapshot(file, meta, index.snapshot())
  const writeMs = performance.now() - started
  started = performance.now()
  const loaded = await loadSnapshot(file, {topic: 'bench', brokers: ['bench']})
  const restored = new CatalogIndex(undefined, loaded.snapshot!.data)
  const loadMs = performance.now() - started
  fs.rmSync(path.dirname(file), {recursive: true, force: true})
  if (restored.size !== index.size) throw new Error('the snapshot did not restore every product')
  return {cards: COUNT, texts: index.texts, indexMs, perSecond: COUNT / (indexMs / 1000), rss, snapshotBytes: bytes, writeMs, loadMs, latency}
}

/** The reference: every card's text lower-cased in memory, every query word looked for as a substring. */
function naiveSide(): unknown {
  const cards = [...benchCards({count: COUNT, seed: SEED})].map((c) => ({
    id: c.product_id,
    text: normalizeLabel(`${c.name} ${c.brand} ${c.category} ${c.tags.join(' ')} ${c.description} ${c.sku}`),
    category: normalizeLabel(c.category),
    brand: normalizeLabel(c.brand),
    price: c.price.amount,
    available: c.stock.available - c.stock.reserved,
    updated: Date.parse(c.updated_at),
  }))
  const rss = settledRss()
  const search = (q: SearchQuery) => {
    const words = q.text
      .split(/\s+/)
      .map(normalizeLabel)
      .filter((w) => analyze(w).length > 0)
    const hits: Array<{id: string; score: number}> = []
    for (const c of cards) {
      if ((q.category && c.category !== normalizeLabel(q.category)) || (q.brand && c.brand !== normalizeLabel(q.brand))) continue
      if ((q.minPrice !== undefined && c.price < q.minPrice) || (q.maxPrice !== undefined && c.price > q.maxPrice) || (q.inStock && c.available <= 0)) continue
      if (words.length > 0 && words.every((w) => c.text.includes(w))) hits.push({id: c.id, score: words.length})
    }
    return topK(hits, q.limit, (a, b) => b.score - a.score)
  }
  return {cards: COUNT, rss, latency: timeQueries(search, COUNT >= 1_000_000 ? 2 : 5)}
}

process.stdout.write(`${JSON.stringify(mode === 'index' ? await indexSide() : naiveSide())}\n`)
