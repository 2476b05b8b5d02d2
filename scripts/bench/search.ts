/**
 * npm run bench:search — the search index against a naive linear scan over
 * the same generated cards (100,000 and 1,000,000), each side in its own
 * process: indexing rate, memory, snapshot size and load time, query latency
 * p50/p99 over a fixed mixed query set. Then freshness on a real runtime:
 * `mkt shop send` at a steady rate through the exactly-once filter to the
 * indexer, time from send to searchable.
 */
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {workerLogger} from '../../src/log-structured.js'
import {packageRoot} from '../../src/package-root.js'
import {startIndexer} from '../../src/search/index.js'
import {renderTable} from '../../src/ui/table.js'
import {measure, mib, rssBytes} from './measure.js'
import {benchRuntime} from './runtime.js'
import {BENCH_CATALOGUE} from './search-queries.js'

const SIZES = (process.env.BENCH_SEARCH_SIZES ?? '100000,1000000').split(',').map(Number)
const RATE = Number(process.env.BENCH_RATE ?? 500)
const FRESH_CARDS = Number(process.env.BENCH_FRESH_CARDS ?? 10_000)

interface Latency {
  p50: number
  p99: number
  max: number
  count: number
}
interface IndexSide {
  cards: number
  texts: number
  perSecond: number
  rss: number
  snapshotBytes: number
  writeMs: number
  loadMs: number
  latency: Latency
}
interface NaiveSide {
  cards: number
  rss: number
  latency: Latency
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function side<T>(mode: 'index' | 'naive', count: number): Promise<T & {peakRss: number}> {
  const worker = path.join(packageRoot(), 'scripts', 'bench', 'search-worker.ts')
  process.stderr.write(`bench: ${mode === 'index' ? 'search index' : 'naive scan'}, ${count.toLocaleString('en')} cards…\n`)
  const run = await measure(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', worker, mode, String(count)])
  if (run.code !== 0) throw new Error(`${mode} ${count} failed: ${run.stderr.slice(-1000)}`)
  return {...(JSON.parse(run.stdout) as T), peakRss: run.peakRssBytes}
}

/** The real `mkt index start` process holding `cards` cards: its memory once caught up, and at peak. */
async function indexerProcess(
  runtime: Awaited<ReturnType<typeof benchRuntime>>,
  env: Record<string, string>,
  cards: number,
): Promise<{settled: number; peak: number; catchUpMs: number}> {
  const cli = path.join(packageRoot(), 'bin', 'run.js')
  process.stderr.write(`bench: ${cards.toLocaleString('en')} cards into filtered-products, then the memory of \`mkt index start\` holding them…\n`)
  const send = await measure(
    cli,
    ['shop', 'send', '--generate', String(cards), '--seed', '31', '--catalogue', BENCH_CATALOGUE, '--topic', 'filtered-products'],
    env,
  )
  if (send.code !== 0) throw new Error(`shop send failed: ${send.stderr}`)
  const port = 39_000 + Math.floor(Math.random() * 1000)
  let pid = 0
  const started = Date.now()
  const run = measure(
    cli,
    ['index', 'start', '--port', String(port), '--snapshot-interval', '0', '--snapshot-file', path.join(runtime.root, 'cli.snapshot')],
    env,
    (p) => (pid = p),
  )
  const caughtUp = async () =>
    (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.json() as Promise<{caughtUp?: boolean}>,
        () => undefined,
      )
    )?.caughtUp === true
  while (!(await caughtUp())) {
    if (Date.now() - started > 120_000) throw new Error('mkt index start did not catch up within 2 minutes')
    await sleep(100)
  }
  const catchUpMs = Date.now() - started
  await sleep(2000) // let it settle, as a long-running service would
  const settled = rssBytes(pid)
  process.kill(pid, 'SIGTERM')
  const done = await run
  if (done.code !== 0) throw new Error(`mkt index start exited with ${done.code}: ${done.stderr.slice(-500)}`)
  return {settled, peak: done.peakRssBytes, catchUpMs}
}

async function freshness(): Promise<{
  memory: {settled: number; peak: number; catchUpMs: number}
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

async function main(): Promise<void> {
  const rows: Array<Array<string | number>> = []
  const targets: string[] = []
  for (const size of SIZES) {
    const index = await side<IndexSide>('index', size)
    const naive = await side<NaiveSide>('naive', size)
    const ms = (v: number) => v.toFixed(2)
    rows.push([
      `index, ${size.toLocaleString('en')} cards (${index.texts.toLocaleString('en')} texts)`,
      Math.round(index.perSecond).toLocaleString('en'),
      mib(index.rss),
      mib(index.peakRss),
      `${mib(index.snapshotBytes)} / ${(index.writeMs / 1000).toFixed(1)}s / ${(index.loadMs / 1000).toFixed(1)}s`,
      ms(index.latency.p50),
      ms(index.latency.p99),
    ])
    rows.push([`naive scan, ${size.toLocaleString('en')} cards`, '-', mib(naive.rss), mib(naive.peakRss), '-', ms(naive.latency.p50), ms(naive.latency.p99)])
    if (size === 100_000)
      targets.push(
        `100,000 cards: query p50 ${ms(index.latency.p50)} ms (< 2) → ${met(index.latency.p50 < 2)}; p99 ${ms(index.latency.p99)} ms (< 10) → ${met(index.latency.p99 < 10)}`,
      )
  }
  const {memory, fresh} = await freshness()
  targets.push(
    `search process (mkt index start) holding 100,000 cards: ${mib(memory.settled)} settled, ${mib(memory.peak)} peak (< 300 MiB) → ${met(memory.peak < 300 * 1024 * 1024)}`,
  )
  targets.push(`freshness p99 ${fresh.p99} ms (< 1000) → ${met(fresh.p99 < 1000)}`)

  console.log(
    `\nSearch on the ${BENCH_CATALOGUE} catalogue (BENCH_CATALOGUE=simple|realistic): the index (minisearch over Russian-analysed text) against a naive linear scan, same cards, same queries\n`,
  )
  console.log(renderTable(['', 'indexed/s', 'RSS settled', 'RSS peak', 'snapshot size / write / load', 'query p50 ms', 'query p99 ms'], rows))
  console.log(
    `\nmkt index start, 100,000 cards from filtered-products: caught up in ${(memory.catchUpMs / 1000).toFixed(1)}s, RSS ${mib(memory.settled)} settled, ${mib(memory.peak)} peak`,
  )
  console.log(
    `\nFreshness (shop send at ${RATE}/s → exactly-once filter → indexer, ${fresh.count} cards): p50 ${fresh.p50} ms, p99 ${fresh.p99} ms, max ${fresh.max} ms`,
  )
  console.log(`Targets: ${targets.join('\n         ')}`)
}

await main()
