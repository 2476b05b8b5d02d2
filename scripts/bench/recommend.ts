/**
 * npm run bench:recommend — the Spark analytics job's wall time on 100,000,
 * 1,000,000 and 5,000,000 client events (same catalogue, same broker) in
 * local mode with 1 and 2 cores and on the full stack's standalone cluster
 * (a fresh lake each time, so every run reads everything), and the round trip
 * of `mkt recommend --wait`: in-process (one warm reply waiter) and as a user
 * runs it (a new `mkt` process per request), with a plain produce → consume
 * hop on the same broker as the reference.
 */
import fs from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {runAnalytics, setupPython} from '../../src/analytics/index.js'
import {viewEvent, VIEWS_TOPIC, type ViewEvent} from '../../src/client/views.js'
import {consumeTopic, endOffsets} from '../../src/consume/index.js'
import {EventSink} from '../../src/events/index.js'
import {packageRoot} from '../../src/package-root.js'
import {openRecommendRequests, recommendRequest, ReplyWaiter} from '../../src/recommend/index.js'
import {SEARCHES_TOPIC, type SearchEvent} from '../../src/search/events.js'
import {fromValues, generateCards, sendCards} from '../../src/shop/index.js'
import {renderTable} from '../../src/ui/table.js'
import {measure, percentile} from './measure.js'
import {benchRuntime} from './runtime.js'
import {sparkMasterUrl} from '../../src/infra/index.js'
import {seededFaker} from '../../src/seeded-faker.js'

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 20_000)
const SIZES = (process.env.BENCH_EVENTS ?? '100000,1000000,5000000').split(',').map(Number)
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 500)
const CLI_CALLS = Number(process.env.BENCH_CLI_CALLS ?? 40)
/** Which of local[1], local[2] and standalone run the job (all by default). */
const MASTERS = process.env.BENCH_MASTERS?.split(',').map((m) => m.trim())

/** Users who like one category: 60% views, 40% searches returning 10 products, mostly of that category. */
async function writeEvents(profile: Parameters<typeof runAnalytics>[0], count: number, seed: number, byCategory: Map<string, string[]>): Promise<void> {
  const faker = seededFaker(seed)
  const categories = [...byCategory.keys()]
  const users = Math.max(10, Math.floor(count / 25))
  const taste = Array.from({length: users}, () => faker.helpers.arrayElement(categories))
  const views = await EventSink.open<ViewEvent>(profile, {
    topic: VIEWS_TOPIC,
    schemaTopic: VIEWS_TOPIC,
    key: (e) => e.user_id,
    role: 'bench',
    maxQueued: 1_000_000,
  })
  const searches = await EventSink.open<SearchEvent>(profile, {
    topic: SEARCHES_TOPIC,
    schemaTopic: SEARCHES_TOPIC,
    key: (e) => e.user_id,
    role: 'bench',
    maxQueued: 1_000_000,
  })
  const pick = (user: number) =>
    faker.helpers.arrayElement(byCategory.get(faker.datatype.boolean({probability: 0.8}) ? taste[user]! : faker.helpers.arrayElement(categories))!)
  for (let i = 0; i < count; i++) {
    const user = faker.number.int({min: 0, max: users - 1})
    const userId = `bench-${seed}-${user}`
    if (faker.datatype.boolean({probability: 0.6})) views.emit(viewEvent(userId, pick(user), 'bench'))
    else {
      const ids = Array.from({length: 10}, () => pick(user))
      searches.emit({
        event_id: `${seed}-${i}`,
        user_id: userId,
        query: 'товар',
        category: null,
        brand: null,
        min_price: null,
        max_price: null,
        in_stock: false,
        sort: 'relevance',
        limit: 10,
        result_ids: ids,
        total_hits: 10,
        match_mode: 'all-words',
        latency_ms: 1,
        served_by: 'local',
        searched_at: new Date().toISOString(),
      })
    }
    if (i % 20_000 === 19_999) await Promise.all([views.flush(), searches.flush()])
  }
  await Promise.all([views.close(), searches.close()])
}

async function main(): Promise<void> {
  await setupPython((e) => e.type === 'start' && process.stderr.write(`bench: ${e.label}\n`))
  // The full stack, for its Spark master and worker; every job below runs beside the same services.
  const runtime = await benchRuntime(1, 'full')
  const masters = [
    {id: 'local[1]', name: 'local[1]', master: 'local[1]'},
    {id: 'local[2]', name: 'local[2]', master: 'local[2]'},
    {id: 'standalone', name: 'standalone (1 worker, 2 cores)', master: sparkMasterUrl(runtime.layout)},
  ].filter((m) => !MASTERS || MASTERS.includes(m.id))
  if (masters.length === 0) throw new Error(`BENCH_MASTERS=${process.env.BENCH_MASTERS}: choose from local[1], local[2], standalone`)
  const {profile} = runtime
  const env = {MKT_CONFIG: path.join(runtime.root, 'config.yaml'), MKT_PROFILE: 'bench:admin', NO_COLOR: '1', MKT_LOG_LEVEL: 'warn'}
  const cli = path.join(packageRoot(), 'bin', 'run.js')
  const rows: Array<Array<string | number>> = []
  let serve: ReturnType<typeof measure> | undefined
  let servePid = 0
  try {
    process.stderr.write(`bench: ${PRODUCTS.toLocaleString('en')} products into filtered-products…\n`)
    const cards = [...generateCards({count: PRODUCTS, seed: 41})]
    await sendCards(profile, fromValues(cards), {topic: 'filtered-products'})
    const byCategory = new Map<string, string[]>()
    for (const c of cards) byCategory.set(c.category, [...(byCategory.get(c.category) ?? []), c.product_id])

    let written = 0
    const jobTimes: Array<{events: number; master: string; seconds: number; users: number}> = []
    for (const size of SIZES) {
      process.stderr.write(`bench: writing events up to ${size.toLocaleString('en')}…\n`)
      await writeEvents(profile, size - written, size, byCategory)
      written = size
      for (const {name, master} of masters) {
        process.stderr.write(`bench: Spark job over ${size.toLocaleString('en')} events, ${name}…\n`)
        const lake = path.join(runtime.root, `lake-${size}-${jobTimes.length}`)
        const started = Date.now()
        const summary = await runAnalytics(profile, {
          master,
          lake,
          onProgress: (e) => e.type === 'done' && process.stderr.write(`bench:   ${e.id}: ${e.detail ?? ''}\n`),
        })
        jobTimes.push({events: size, master: name, seconds: (Date.now() - started) / 1000, users: summary.recommendations})
        fs.rmSync(lake, {recursive: true, force: true})
      }
    }
    for (const t of jobTimes)
      rows.push([
        `Spark job, ${t.events.toLocaleString('en')} events, ${PRODUCTS.toLocaleString('en')} products, ${t.master}`,
        `${t.seconds.toFixed(1)} s`,
        `${t.users.toLocaleString('en')} users with a list`,
        t.events === 1_000_000 ? (t.seconds < 60 ? 'met (< 1 min)' : 'NOT met (< 1 min)') : '',
      ])

    process.stderr.write('bench: starting `mkt recommend serve`…\n')
    serve = measure(cli, ['recommend', 'serve', '--metrics-port', '0'], env, (pid) => (servePid = pid))
    const waiter = await ReplyWaiter.open(profile)
    const requests = await openRecommendRequests(profile)
    const users = jobTimes.at(-1)!.users
    const trip = async (i: number) => {
      const request = recommendRequest({userId: `bench-${SIZES.at(-1)}-${i % Math.max(1, Math.floor(users / 2))}`, limit: 10})
      const started = performance.now()
      requests.emit(request)
      await waiter.wait(request.request_id, 30_000)
      return performance.now() - started
    }
    await trip(0) // waits for the recommender to join and load
    for (let i = 1; i <= 20; i++) await trip(i) // warm-up
    const times: number[] = []
    for (let i = 0; i < ROUND_TRIPS; i++) times.push(await trip(i))
    await requests.close()
    await waiter.close()

    // As a user runs it: a new process per request (process start, connections, schema lookup, reply reader).
    const cliTimes: number[] = []
    for (let i = 0; i < CLI_CALLS + 3; i++) {
      const user = `bench-${SIZES.at(-1)}-${i % Math.max(1, Math.floor(users / 2))}`
      const run = await measure(process.execPath, [cli, 'recommend', '--user', user, '--wait', '--json'], env)
      if (run.code !== 0) throw new Error(`mkt recommend --wait failed (${run.code}): ${run.stderr.slice(-500)}`)
      if (i >= 3) cliTimes.push(run.seconds * 1000) // the first calls warm the page cache
    }

    // What a new process costs before any Kafka work: Node alone, and mkt answering --version (oclif, no command loaded).
    const startTimes = async (args: string[]) => {
      const times: number[] = []
      for (let i = 0; i < CLI_CALLS; i++) times.push((await measure(process.execPath, args, env)).seconds * 1000)
      return times.sort((a, b) => a - b)
    }
    const nodeStart = await startTimes(['-e', '0'])
    const mktStart = await startTimes([cli, '--version'])

    // Reference: the same produce → consume hop without the recommender, on the same broker.
    const from = await endOffsets(profile, 'client-views')
    const seen = new Map<string, () => void>()
    const stop = new AbortController()
    const reading = consumeTopic(profile, 'client-views', {
      follow: true,
      startOffsets: from,
      maxWaitMs: 10,
      signal: stop.signal,
      onRecord: (r) => seen.get((r.value as ViewEvent).event_id)?.(),
    })
    const sink = await EventSink.open<ViewEvent>(profile, {topic: VIEWS_TOPIC, schemaTopic: VIEWS_TOPIC, key: (e) => e.user_id, role: 'bench', intervalMs: 0})
    const hop = async () => {
      const event = viewEvent('bench-hop', '1', 'bench')
      const started = performance.now()
      await new Promise<void>((resolve) => {
        seen.set(event.event_id, resolve)
        sink.emit(event)
      })
      return performance.now() - started
    }
    await sleep(2000)
    for (let i = 0; i < 20; i++) await hop()
    const hops: number[] = []
    for (let i = 0; i < ROUND_TRIPS; i++) hops.push(await hop())
    await sink.close()
    stop.abort()
    await reading

    times.sort((a, b) => a - b)
    hops.sort((a, b) => a - b)
    cliTimes.sort((a, b) => a - b)
    const ms = (v: number) => `${v.toFixed(1)} ms`
    rows.push([
      `recommend --wait in-process round trip (${ROUND_TRIPS}, one warm reply waiter)`,
      `p50 ${ms(percentile(times, 50))}`,
      `p99 ${ms(percentile(times, 99))}`,
      percentile(times, 99) < 50 ? 'met (p99 < 50 ms)' : 'NOT met (p99 < 50 ms)',
    ])
    rows.push([
      `mkt recommend --wait as a new process (${CLI_CALLS} calls)`,
      `p50 ${ms(percentile(cliTimes, 50))}`,
      `p99 ${ms(percentile(cliTimes, 99))}`,
      percentile(cliTimes, 99) < 500 ? 'met (p99 < 500 ms)' : 'NOT met (p99 < 500 ms)',
    ])
    rows.push([`reference: \`node -e 0\` (${CLI_CALLS} processes)`, `p50 ${ms(percentile(nodeStart, 50))}`, `p99 ${ms(percentile(nodeStart, 99))}`, ''])
    rows.push([`reference: \`mkt --version\` (${CLI_CALLS} processes)`, `p50 ${ms(percentile(mktStart, 50))}`, `p99 ${ms(percentile(mktStart, 99))}`, ''])
    rows.push([`reference: one produce → consume hop (${ROUND_TRIPS})`, `p50 ${ms(percentile(hops, 50))}`, `p99 ${ms(percentile(hops, 99))}`, ''])
  } finally {
    if (servePid) process.kill(servePid, 'SIGTERM')
    await serve
    await runtime.close()
  }
  console.log('\nRecommendations: the Spark job and the request/reply round trip (1 broker, full stack)\n')
  console.log(renderTable(['', 'time', '', 'target'], rows))
}

await main()
