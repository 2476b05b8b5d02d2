/**
 * npm run bench:search — the search index against the minisearch index it
 * replaced (search-reference.ts) and the other candidates (FlexSearch,
 * SQLite FTS5, Orama: search-candidates.ts, at 100,000 cards), on the same generated cards (realistic by
 * default: a name and a description per card) at 100,000 and 1,000,000,
 * each side in its own process: indexing rate, memory, snapshot size, write
 * time and the longest a query waited during it, load time, query p50/p99
 * per query class and precision@10 per judged class. Then on a real
 * runtime: `mkt index start` holding 100,000 cards (memory, latency per
 * class over HTTP as a client sees it, restart from its snapshot) and
 * freshness (`mkt shop send` at a steady rate through the exactly-once
 * filter to the indexer, time from send to searchable).
 */
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {workerLogger} from '../../src/log-structured.js'
import {packageRoot} from '../../src/package-root.js'
import {paramsFromRequest, parseSearchQuery, startIndexer, type SearchRequest} from '../../src/search/index.js'
import {renderTable} from '../../src/ui/table.js'
import {measure, mib, percentile, percentilesByClass, rssBytes} from './measure.js'
import {benchRuntime} from './runtime.js'
import {judgedQueries, precisionByClass, relevantIds, type ClassPrecision} from './search-judged.js'
import {BENCH_CATALOGUE, benchCards, benchQueries} from './search-queries.js'

const SIZES = (process.env.BENCH_SEARCH_SIZES ?? '100000,1000000').split(',').map(Number)
// The reference needs about half an hour and 5 GiB at a million cards: BENCH_REFERENCE_SIZES=100000 leaves it out there.
const REFERENCE_SIZES = process.env.BENCH_REFERENCE_SIZES ? process.env.BENCH_REFERENCE_SIZES.split(',').map(Number) : SIZES
const RATE = Number(process.env.BENCH_RATE ?? 500)
const FRESH_CARDS = Number(process.env.BENCH_FRESH_CARDS ?? 10_000)
// FlexSearch, SQLite FTS5 and Orama (search-candidates.ts), at 100,000 cards unless told otherwise.
const CANDIDATE_SIZES = (process.env.BENCH_CANDIDATE_SIZES ?? '100000').split(',').filter(Boolean).map(Number)
const CANDIDATES = ['flexsearch', 'fts5', 'orama'] as const
type EngineName = 'mkt' | 'minisearch' | (typeof CANDIDATES)[number]
const SEED = 11

type Latency = Record<string, {p50: number; p99: number}>
interface Side {
  engine: EngineName
  cards: number
  perSecond: number
  /** Settled once the cards are in (mkt: packed and collected, as the indexer does). */
  rss: number
  rssAfterQueries: number
  /** Peak while reading the cards in and settling. */
  buildPeakRss: number
  /** Peak of the whole run, which also holds a second index loaded from the snapshot. */
  peakRss: number
  /** Snapshot figures: not for the other candidates. */
  bytes?: number
  writeMs?: number
  stallMs?: number
  loadMs?: number
  snapshotError?: string
  latency: Latency
  hits: string[][]
  precision?: ClassPrecision[]
}

async function side(engine: EngineName, count: number): Promise<Side> {
  const worker = path.join(packageRoot(), 'scripts', 'bench', 'search-worker.ts')
  process.stderr.write(`bench: ${engine}, ${count.toLocaleString('en')} cards…\n`)
  const run = await measure(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', worker, engine, String(count)])
  if (run.code !== 0) throw new Error(`${engine} ${count} failed: ${run.stderr.slice(-1000)}`)
  return {...(JSON.parse(run.stdout) as Omit<Side, 'peakRss'>), peakRss: run.peakRssBytes}
}

/** The judged queries as HTTP requests, by class, and the earlier mixed set. */
function httpClasses(): Map<string, SearchRequest[]> {
  const classes = new Map<string, SearchRequest[]>()
  for (const j of judgedQueries())
    classes.set(j.class, [...(classes.get(j.class) ?? []), {text: j.query, ...(j.max_price !== undefined ? {maxPrice: j.max_price} : {})}])
  classes.set('mixed (earlier set)', benchQueries(SEED))
  return classes
}

/** GET /search as a client sees it (connection kept alive), per class. */
async function httpLatency(port: number, rounds: number): Promise<Latency> {
  const times = new Map<string, number[]>()
  for (const [name, requests] of httpClasses()) {
    const own: number[] = []
    for (let r = 0; r <= rounds; r++)
      for (const request of requests) {
        parseSearchQuery(request)
        const started = performance.now()
        const response = await fetch(`http://127.0.0.1:${port}/search?${paramsFromRequest(request).toString()}`)
        await response.arrayBuffer()
        if (!response.ok) throw new Error(`GET /search answered ${response.status}`)
        if (r > 0) own.push(performance.now() - started) // round 0 warms up
      }
    times.set(name, own)
  }
  return percentilesByClass(times)
}

interface IndexerRun {
  settled: number
  /** After the HTTP queries (a few hundred searches). */
  afterQueries: number
  peak: number
  catchUpMs: number
  http: Latency
  restartMs: number
  restartPeak: number
}

/** Starts `mkt index start` and waits until it serves fresh results; resolves with its pid, the run, and how long that took. */
async function startCliIndexer(env: Record<string, string>, port: number, snapshotFile: string) {
  const cli = path.join(packageRoot(), 'bin', 'run.js')
  let pid = 0
  const started = Date.now()
  // Info level: the run's log says whether the snapshot was written and loaded.
  const args = ['index', 'start', '--port', String(port), '--snapshot-interval', '0', '--snapshot-file', snapshotFile]
  const run = measure(cli, args, {...env, MKT_LOG_LEVEL: 'info'}, (p) => (pid = p))
  const caughtUp = async () =>
    (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.json() as Promise<{caughtUp?: boolean}>,
        () => undefined,
      )
    )?.caughtUp === true
  while (!(await caughtUp())) {
    if (Date.now() - started > 300_000) throw new Error('mkt index start did not catch up within 5 minutes')
    await sleep(20)
  }
  return {pid, run, ms: Date.now() - started}
}

/**
 * The real `mkt index start` over `cards` cards in filtered-products: its
 * memory once caught up and at peak, search latency over HTTP per class,
 * and a restart from the snapshot its stop wrote (spawn → serving).
 */
async function indexerProcess(runtime: Awaited<ReturnType<typeof benchRuntime>>, env: Record<string, string>, cards: number): Promise<IndexerRun> {
  const cli = path.join(packageRoot(), 'bin', 'run.js')
  process.stderr.write(`bench: ${cards.toLocaleString('en')} cards into filtered-products, then \`mkt index start\` holding them…\n`)
  const send = await measure(
    cli,
    ['shop', 'send', '--generate', String(cards), '--seed', String(SEED), '--catalogue', BENCH_CATALOGUE, '--topic', 'filtered-products'],
    env,
  )
  if (send.code !== 0) throw new Error(`shop send failed: ${send.stderr}`)
  const port = 39_000 + Math.floor(Math.random() * 1000)
  const snapshotFile = path.join(runtime.root, 'cli.snapshot')
  const first = await startCliIndexer(env, port, snapshotFile)
  await sleep(2000) // let it settle, as a long-running service would
  const settled = rssBytes(first.pid)
  const http = await httpLatency(port, 20)
  const afterQueries = rssBytes(first.pid)
  process.kill(first.pid, 'SIGTERM')
  const done = await first.run
  if (done.code !== 0) throw new Error(`mkt index start exited with ${done.code}: ${done.stderr.slice(-500)}`)
  if (!/snapshot written/.test(done.stderr)) throw new Error('mkt index start wrote no snapshot when it stopped')
  const second = await startCliIndexer(env, port, snapshotFile)
  process.kill(second.pid, 'SIGTERM')
  const again = await second.run
  if (!/snapshot loaded/.test(again.stderr)) throw new Error(`the restart did not load the snapshot: ${again.stderr.slice(-500)}`)
  return {settled, afterQueries, peak: done.peakRssBytes, catchUpMs: first.ms, http, restartMs: second.ms, restartPeak: again.peakRssBytes}
}

async function freshness(): Promise<{
  memory: IndexerRun
  fresh: {p50: number; p99: number; max: number; count: number}
}> {
  const runtime = await benchRuntime()
  const env = {MKT_CONFIG: path.join(runtime.root, 'config.yaml'), MKT_PROFILE: 'bench:admin', NO_COLOR: '1', MKT_LOG_LEVEL: 'warn'}
  const cli = path.join(packageRoot(), 'bin', 'run.js')
  const ages: number[] = []
  let filterPid = 0
  let filter: ReturnType<typeof measure> | undefined
  let indexer: Awaited<ReturnType<typeof startIndexer>> | undefined
  try {
    const memory = await indexerProcess(runtime, env, 100_000)
    filter = measure(cli, ['filter', 'start', '--metrics-port', '0'], env, (p) => (filterPid = p))
    indexer = await startIndexer(runtime.profile, {
      logger: workerLogger('bench-index').child({}, {level: 'warn'}),
      snapshotIntervalS: 0,
      snapshotFile: path.join(runtime.root, 'catalog.snapshot'),
      onFresh: (ms) => ages.push(ms),
    })
    await indexer.ready
    const sendPaced = async (count: number, seed: number) => {
      const send = await measure(
        cli,
        ['shop', 'send', '--generate', String(count), '--seed', String(seed), '--catalogue', BENCH_CATALOGUE, '--rate', String(RATE)],
        env,
      )
      if (send.code !== 0) throw new Error(`shop send failed: ${send.stderr}`)
      const deadline = Date.now() + 60_000
      while (ages.length < count && Date.now() < deadline) await sleep(50)
      if (ages.length < count) throw new Error(`only ${ages.length} of ${count} cards became searchable within a minute`)
    }
    // Warm-up: the filter joins its group and fences each partition's previous owner on its first batch.
    await sendPaced(200, 20)
    ages.length = 0
    process.stderr.write(`bench: freshness, ${FRESH_CARDS} cards at ${RATE}/s through shop send → filter (exactly once) → indexer…\n`)
    await sendPaced(FRESH_CARDS, 21)
    const sorted = [...ages].sort((a, b) => a - b)
    return {memory, fresh: {p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)!, count: sorted.length}}
  } finally {
    await indexer?.stop()
    if (filterPid) process.kill(filterPid, 'SIGTERM')
    await filter
    await runtime.close()
  }
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met')
const ms = (v: number) => v.toFixed(2)
const seconds = (v: number) => `${(v / 1000).toFixed(2)}s`

function judge(sides: Side[], count: number): void {
  if (BENCH_CATALOGUE !== 'realistic') return // the judged queries describe the realistic catalogue
  process.stderr.write(`bench: judging the hits against ${count.toLocaleString('en')} cards…\n`)
  const queries = judgedQueries()
  const wanted = relevantIds(queries, benchCards({count, seed: SEED}))
  for (const s of sides) s.precision = precisionByClass(queries, wanted, s.hits)
}

async function main(): Promise<void> {
  const runs: Side[][] = []
  for (const size of SIZES) {
    const sides = [await side('mkt', size), ...(REFERENCE_SIZES.includes(size) ? [await side('minisearch', size)] : [])]
    if (CANDIDATE_SIZES.includes(size)) for (const candidate of CANDIDATES) sides.push(await side(candidate, size))
    judge(sides, size)
    runs.push(sides)
  }
  const {memory, fresh} = await freshness()

  console.log(
    `\nSearch on the ${BENCH_CATALOGUE} catalogue (BENCH_CATALOGUE=realistic|simple), mkt's index against the minisearch index it replaced and the other candidates, same cards, same queries, each in its own process\n`,
  )
  const engineRows = runs
    .flat()
    .map((s) => [
      `${s.engine}, ${s.cards.toLocaleString('en')} cards`,
      Math.round(s.perSecond).toLocaleString('en'),
      `${mib(s.rss)} / ${mib(s.rssAfterQueries)}`,
      mib(s.buildPeakRss),
      s.bytes === undefined ? '–' : mib(s.bytes),
      s.writeMs === undefined ? '–' : seconds(s.writeMs),
      s.stallMs === undefined ? '–' : `${ms(s.stallMs)} ms`,
      s.loadMs === undefined ? '–' : seconds(s.loadMs),
      ms(s.latency.all!.p50),
      ms(s.latency.all!.p99),
    ])
  console.log(
    renderTable(
      [
        '',
        'indexed/s',
        'RSS settled / after queries',
        'RSS peak reading in',
        'snapshot',
        'write',
        'longest query wait while writing',
        'load',
        'p50 ms',
        'p99 ms',
      ],
      engineRows,
    ),
  )
  const classes = Object.keys(runs[0]![0]!.latency)
  for (const sides of runs) {
    console.log(`\nIn process, ${sides[0]!.cards.toLocaleString('en')} cards: query p50 / p99 ms and precision@10 per class\n`)
    const rows = classes.map((name) => [
      name,
      ...sides.flatMap((s) => [
        `${ms(s.latency[name]!.p50)} / ${ms(s.latency[name]!.p99)}`,
        s.precision?.find((c) => c.class === name)?.precision.toFixed(2) ?? '-',
      ]),
    ])
    console.log(renderTable(['class', ...sides.flatMap((s) => [`${s.engine} p50 / p99 ms`, 'p@10'])], rows))
  }
  console.log(`\nmkt index start holding 100,000 cards from filtered-products, over HTTP (GET /search, kept-alive connection): p50 / p99 ms per class\n`)
  console.log(
    renderTable(
      ['class', 'p50 / p99 ms'],
      Object.entries(memory.http).map(([name, l]) => [name, `${ms(l.p50)} / ${ms(l.p99)}`]),
    ),
  )
  console.log(
    `\nmkt index start, 100,000 cards: caught up in ${seconds(memory.catchUpMs)}, RSS ${mib(memory.settled)} settled, ${mib(memory.afterQueries)} after the HTTP queries, ${mib(memory.peak)} peak; restarted from its snapshot and serving in ${seconds(memory.restartMs)} (spawn to caught up), peak ${mib(memory.restartPeak)}`,
  )
  console.log(
    `\nFreshness (shop send at ${RATE}/s → exactly-once filter → indexer, ${fresh.count} cards): p50 ${fresh.p50} ms, p99 ${fresh.p99} ms, max ${fresh.max} ms`,
  )

  const targets: string[] = []
  const at = (n: number) => runs.find((sides) => sides[0]!.cards === n)?.[0]
  const hundred = at(100_000)
  if (hundred) {
    const {p50, p99} = hundred.latency.all!
    targets.push(`100,000 cards in process: p50 ${ms(p50)} ms (< 2) → ${met(p50 < 2)}; p99 ${ms(p99)} ms (< 10) → ${met(p99 < 10)}`)
    const {writeMs = NaN, stallMs = NaN} = hundred
    targets.push(`snapshot write ${seconds(writeMs)} (< 1 s) → ${met(writeMs < 1000)}, longest query wait ${ms(stallMs)} ms`)
  }
  const {p50, p99} = memory.http.all!
  targets.push(`100,000 cards over HTTP: p50 ${ms(p50)} ms (< 2) → ${met(p50 < 2)}; p99 ${ms(p99)} ms (< 10) → ${met(p99 < 10)}`)
  const rssMet = Math.max(memory.settled, memory.afterQueries) < 300 * 1024 * 1024
  targets.push(
    `mkt index start RSS ${mib(memory.settled)} caught up, ${mib(memory.afterQueries)} after queries (< 300 MiB) → ${met(rssMet)}; peak while reading in ${mib(memory.peak)}`,
  )
  targets.push(`restart from the snapshot ${seconds(memory.restartMs)} (< 2 s) → ${met(memory.restartMs < 2000)}`)
  const million = at(1_000_000)
  if (million)
    targets.push(
      `1,000,000 cards: p99 ${ms(million.latency.all!.p99)} ms (< 25) → ${met(million.latency.all!.p99 < 25)}; RSS ${mib(million.rss)} settled, ${mib(million.rssAfterQueries)} after queries (< 1.5 GB) → ${met(Math.max(million.rss, million.rssAfterQueries) < 1.5e9)}; peak while reading in ${mib(million.buildPeakRss)}`,
    )
  targets.push(`freshness p99 ${fresh.p99} ms (< 1000) → ${met(fresh.p99 < 1000)}`)
  console.log(`Targets: ${targets.join('\n         ')}`)
}

await main()
