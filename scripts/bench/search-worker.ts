/**
 * One side of bench:search in its own process (so its memory is its own):
 * `mkt N` builds the search index over N generated cards, `minisearch N`
 * the reference it replaced (search-reference.ts), then settles as its
 * service would (RSS then, and the peak so far); each then times the
 * query set by class (RSS after that), writes its snapshot while answering queries (the
 * longest a query had to wait is the write's stall), and loads it back.
 * Prints one JSON object, with each judged query's first ten hits for the
 * parent to judge.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setImmediate as nextTurn} from 'node:timers/promises'

import {CatalogIndex, loadSnapshot, parseSearchQuery, saveSnapshot, SNAPSHOT_VERSION, type SearchOutcome, type SearchQuery} from '../../src/search/index.js'
import {collectGarbage} from '../../src/collect-garbage.js'
import {percentilesByClass} from './measure.js'
import {CANDIDATE_ENGINES, CandidateCatalog, type CandidateName} from './search-candidates.js'
import {judgedQueries, searchOf} from './search-judged.js'
import {MiniSearchCatalog} from './search-reference.js'
import {benchCards, benchQueries} from './search-queries.js'

const [engine, countArg] = process.argv.slice(2) as ['mkt' | 'minisearch' | CandidateName, string]
const COUNT = Number(countArg)
const SEED = 11

interface Engine {
  upsert: CatalogIndex['upsert']
  search: (q: SearchQuery) => SearchOutcome
}
interface Side {
  index: Engine
  /** What its service does once it has read the topic in (mkt's indexer packs the index and collects garbage). */
  settle: () => void
  /** Writes the snapshot; resolves with its size (not for the other candidates: speed and quality ruled them out first). */
  save?: (file: string) => Promise<number>
  load?: (file: string) => Promise<Engine>
}

const mktSide = (): Side => {
  const index = new CatalogIndex()
  const meta = () => ({
    format: 'mkt-search-snapshot' as const,
    version: SNAPSHOT_VERSION,
    topic: 'bench',
    brokers: ['bench'],
    savedAt: new Date().toISOString(),
    offsets: {},
    products: index.size,
    texts: index.texts,
  })
  return {
    index,
    settle: () => {
      index.pack()
      collectGarbage()
    },
    save: async (file) => (await saveSnapshot(file, meta(), index.snapshot())).bytes,
    load: async (file) => new CatalogIndex(undefined, (await loadSnapshot(file, {topic: 'bench', brokers: ['bench']})).snapshot!.data),
  }
}

// The reference's snapshot as it shipped: one JSON document (its index serialised by minisearch), written in one go.
const minisearchSide = (): Side => {
  const index = new MiniSearchCatalog()
  return {
    index,
    settle: collectGarbage,
    save: async (file) => {
      const json = JSON.stringify(index.snapshot())
      await fs.promises.writeFile(file, json, {mode: 0o600})
      return Buffer.byteLength(json)
    },
    load: async (file) => new MiniSearchCatalog(undefined, JSON.parse(await fs.promises.readFile(file, 'utf8')) as ReturnType<MiniSearchCatalog['snapshot']>),
  }
}

const candidateSide = (name: CandidateName): Side => {
  const index = new CandidateCatalog(CANDIDATE_ENGINES[name]())
  return {index, settle: collectGarbage}
}

/** Peak resident memory of this process so far. */
const peakRss = () => process.resourceUsage().maxRSS * 1024

/** Each query once to warm up, then `rounds` times, timed one by one, per class. */
function timeClasses(index: Engine, classes: Map<string, SearchQuery[]>, rounds: number): Record<string, {p50: number; p99: number}> {
  const times = new Map<string, number[]>()
  for (const [name, queries] of classes) {
    for (const q of queries) index.search(q)
    const own: number[] = []
    for (let r = 0; r < rounds; r++)
      for (const q of queries) {
        const started = performance.now()
        index.search(q)
        own.push(performance.now() - started)
      }
    times.set(name, own)
  }
  return percentilesByClass(times)
}

/** Writes the snapshot while a query is asked on every turn of the event loop: how long the longest one waited. */
async function saveWhileSearching(
  index: Engine,
  save: (file: string) => Promise<number>,
  file: string,
  query: SearchQuery,
): Promise<{bytes: number; writeMs: number; stallMs: number}> {
  let done = false
  let stallMs = 0
  const asking = (async () => {
    while (!done) {
      const asked = performance.now()
      await nextTurn()
      index.search(query)
      stallMs = Math.max(stallMs, performance.now() - asked)
    }
  })()
  const started = performance.now()
  const bytes = await save(file)
  const writeMs = performance.now() - started
  done = true
  await asking
  return {bytes, writeMs, stallMs}
}

async function main(): Promise<unknown> {
  const side = engine === 'mkt' ? mktSide() : engine === 'minisearch' ? minisearchSide() : candidateSide(engine)
  let indexMs = 0
  for (const card of benchCards({count: COUNT, seed: SEED})) {
    const started = performance.now()
    side.index.upsert(card)
    indexMs += performance.now() - started
  }
  side.settle()
  const rss = process.memoryUsage().rss
  const buildPeakRss = peakRss()

  const judged = judgedQueries()
  const classes = new Map<string, SearchQuery[]>()
  for (const j of judged) classes.set(j.class, [...(classes.get(j.class) ?? []), searchOf(j)])
  classes.set(
    'mixed (earlier set)',
    benchQueries(SEED).map((q) => parseSearchQuery(q)),
  )
  // The reference takes tens of milliseconds a query at a million cards: fewer rounds there.
  // The other candidates take up to seconds a query: three rounds each.
  const rounds = engine in CANDIDATE_ENGINES ? 3 : COUNT >= 1_000_000 ? (engine === 'mkt' ? 10 : 2) : 30
  const latency = timeClasses(side.index, classes, rounds)
  const hits = judged.map((j) => side.index.search(searchOf(j)).hits.map((h) => h.product_id))

  // As a user sees it after a few hundred searches: no forced collection.
  const rssAfterQueries = process.memoryUsage().rss
  const base = {engine, cards: COUNT, perSecond: COUNT / (indexMs / 1000), rss, rssAfterQueries, buildPeakRss, latency, hits}
  const {save, load} = side
  if (!save || !load) return base
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-bench-snap-'))
  try {
    const file = path.join(dir, 'catalog.snapshot')
    const snapshot = await saveWhileSearching(side.index, save, file, searchOf(judged[0]!))
    const started = performance.now()
    const restored = await load(file)
    const loadMs = performance.now() - started
    const again = judged.map((j) => restored.search(searchOf(j)).hits.map((h) => h.product_id))
    if (JSON.stringify(again) !== JSON.stringify(hits)) throw new Error('the index loaded from its snapshot answers differently')
    return {...base, ...snapshot, loadMs}
  } catch (error) {
    // The reference's one-document JSON snapshot cannot be written past V8's longest string (about 512 MiB): say so.
    return {...base, snapshotError: (error as Error).message}
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`)
