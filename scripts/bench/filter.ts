/**
 * npm run bench:filter — the ban filter end to end, exactly once (transactions)
 * against at least once, on the same data and broker in one run: drain rate of
 * a backlog, and latency from produce to filtered-products at a steady rate.
 */
import {addBans} from '../../src/bans/index.js'
import {consumeTopic} from '../../src/consume/index.js'
import {startFilter} from '../../src/filter/worker.js'
import {waitForGroup} from '../../src/kafka/lag.js'
import {workerLogger} from '../../src/log-structured.js'
import {fromValues, generateCards, paced, sendCards} from '../../src/shop/index.js'
import {percentile} from './measure.js'
import {renderTable} from '../../src/ui/table.js'
import {benchRuntime, createTopic} from './runtime.js'

const CARDS = Number(process.env.BENCH_CARDS ?? 200_000)
const RATE = Number(process.env.BENCH_RATE ?? 2000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const logger = workerLogger('bench-filter').child({}, {level: 'warn'})

async function main(): Promise<void> {
  const runtime = await benchRuntime()
  const {profile} = runtime
  try {
    for (const t of ['bench-in', 'bench-lat-eos', 'bench-lat-alo']) await createTopic(profile, t, 6)
    for (const mode of ['eos', 'alo']) for (const t of [`bench-out-${mode}`, `bench-events-${mode}`, `bench-lat-out-${mode}`]) await createTopic(profile, t, 6)
    await createTopic(profile, 'bench-dlq', 1)
    await createTopic(profile, 'bench-bans', 1)
    await addBans(
      profile,
      [
        {productId: '100007', reason: 'bench'},
        {sku: 'GARDEN-1', reason: 'bench'},
      ],
      {topic: 'bench-bans'},
    )

    process.stderr.write(`bench: sending ${CARDS} cards…\n`)
    await sendCards(profile, fromValues(generateCards({count: CARDS, seed: 9})), {topic: 'bench-in', dlqTopic: 'bench-dlq'})

    const results: Record<string, {rate: number; p50: number; p99: number}> = {}
    for (const mode of ['eos', 'alo'] as const) {
      const common = {eos: mode === 'eos', dlqTopic: 'bench-dlq', bansTopic: 'bench-bans', logger, eventsTopic: `bench-events-${mode}`}
      process.stderr.write(`bench: ${mode}: draining ${CARDS} cards…\n`)
      const worker = await startFilter(profile, {...common, groupId: `bench-${mode}`, inputTopic: 'bench-in', outputTopic: `bench-out-${mode}`})
      await worker.ready
      const started = Date.now()
      await waitForGroup(profile, `bench-${mode}`, 'bench-in', {stallMs: 60_000})
      const rate = CARDS / ((Date.now() - started) / 1000)
      await worker.stop()

      process.stderr.write(`bench: ${mode}: latency at ${RATE} cards/s for ${SECONDS}s…\n`)
      const live = await startFilter(profile, {...common, groupId: `bench-lat-${mode}`, inputTopic: `bench-lat-${mode}`, outputTopic: `bench-lat-out-${mode}`})
      await live.ready
      const latencies: number[] = []
      const stop = new AbortController()
      const expected = RATE * SECONDS
      let caughtUp!: () => void
      const following = new Promise<void>((r) => (caughtUp = r))
      const reading = consumeTopic(profile, `bench-lat-out-${mode}`, {
        from: 'end',
        follow: true,
        signal: stop.signal,
        onCaughtUp: caughtUp,
        onRecord: (r) => {
          latencies.push(Date.now() - Date.parse(r.timestamp))
          if (latencies.length >= expected - 1) stop.abort() // one card of the seed is banned
        },
      })
      await following
      await sendCards(profile, paced(fromValues(generateCards({count: expected, seed: 10, firstId: 5_000_000})), {rate: RATE}), {
        topic: `bench-lat-${mode}`,
        dlqTopic: 'bench-dlq',
        batchSize: 50,
      })
      const timeout = setTimeout(() => stop.abort(), 30_000)
      await reading
      clearTimeout(timeout)
      await live.stop()
      const sorted = latencies.sort((a, b) => a - b)
      results[mode] = {rate, p50: percentile(sorted, 50), p99: percentile(sorted, 99)}
    }

    const ratio = results.eos!.rate / results.alo!.rate
    console.log(`\nFilter: ${CARDS.toLocaleString('en')} cards through mkt filter (1 worker, 6 partitions, 1 broker); latency at ${RATE} cards/s\n`)
    console.log(
      renderTable(
        ['mode', 'cards/s', 'vs at-least-once', 'latency p50', 'latency p99'],
        (['eos', 'alo'] as const).map((m) => [
          m === 'eos' ? 'exactly once (transactions)' : 'at least once',
          Math.round(results[m]!.rate),
          `${(results[m]!.rate / results.alo!.rate).toFixed(2)}x`,
          `${results[m]!.p50} ms`,
          `${results[m]!.p99} ms`,
        ]),
      ),
    )
    console.log(`\nTarget: EOS ≥ 0.5x at-least-once → ${ratio >= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`)
  } finally {
    await runtime.close()
  }
}

await main()
