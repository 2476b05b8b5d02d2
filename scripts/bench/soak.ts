/**
 * npm run bench:soak -- --minutes N [--rate R] [--no-faults]: a steady
 * `mkt shop send` through the full stack (3 brokers, two exactly-once filter
 * workers, MirrorMaker 2 to the analytics cluster, the Connect file sink).
 * While it runs, a broker (at 15% of the run), a filter worker (35%),
 * MirrorMaker 2 (50%) and the Connect worker (70%) are each SIGKILLed once
 * and brought back. Prints throughput,
 * latency per stage, the largest lag per stage, takeover times, and checks
 * at the end that nothing was lost or duplicated (the sink: nothing lost).
 */
import fs from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {parseArgs} from 'node:util'

import {consumeTopic} from '../../src/consume/index.js'
import {profileForLayout, restartService, signalService} from '../../src/infra/index.js'
import {consumerGroupLag} from '../../src/kafka/lag.js'
import {loadMirrorFlow, mirrorStatus} from '../../src/mirror/index.js'
import {TOPICS} from '../../src/topics/names.js'
import {startCli, type Running} from '../../test/helpers/spawn.js'
import {benchRuntime} from './runtime.js'
import {followTopic, sampleEvery, tailSink, topicEnd, type Arrival, type LagSample} from './soak-observe.js'
import {printSoakReport, type Fault} from './soak-report.js'

const {values: args} = parseArgs({
  options: {minutes: {type: 'string', default: '5'}, rate: {type: 'string', default: '250'}, 'no-faults': {type: 'boolean', default: false}},
})
const MINUTES = Number(args.minutes)
const RATE = Number(args.rate)
if (!(MINUTES > 0) || !(RATE > 0)) throw new Error(`--minutes and --rate must be positive numbers (got ${args.minutes}, ${args.rate})`)
const CARDS = Math.round(RATE * MINUTES * 60)
const SINK_GROUP = 'connect-catalog-file-sink'

/** BENCH_LOG_DIR=dir keeps each filter worker's and the send's log (JSON lines) there, for a run that looks wrong. */
function keepLogs(workers: Running[], send: Running): void {
  const dir = process.env.BENCH_LOG_DIR
  if (!dir) return
  fs.mkdirSync(dir, {recursive: true})
  workers.forEach((w, i) => fs.writeFileSync(path.join(dir, `filter-${i + 1}.log`), w.stderr()))
  fs.writeFileSync(path.join(dir, 'send.log'), send.stderr())
  process.stderr.write(`bench: logs in ${dir}\n`)
}

/** The partitions a filter worker last logged as its assignment. */
function assignedPartitions(worker: Running): number[] {
  const line = worker
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"partitions assigned"'))
    .at(-1)
  return line ? ((JSON.parse(line) as {assignment?: number[]}).assignment ?? []) : []
}

async function main(): Promise<void> {
  const runtime = await benchRuntime(3, 'full')
  const {profile, stateDir, layout} = runtime
  const analytics = profileForLayout(layout, 'bench-analytics', 'admin', 'analytics')
  const flow = loadMirrorFlow()
  const env = {MKT_CONFIG: path.join(runtime.root, 'config.yaml'), MKT_PROFILE: 'bench:admin', MKT_LOG_LEVEL: 'info'}
  const workers: Running[] = []
  const startFilter = async () => {
    const worker = startCli(['filter', 'start', '--metrics-port', '0'], env)
    workers.push(worker)
    await worker.waitFor(/"msg":"filtering"/, 90_000, 'stderr')
    return worker
  }
  try {
    const [first] = await Promise.all([startFilter(), startFilter()])
    await sleep(3000) // both joined: three partitions each

    const filtered = new Map<string, Arrival>()
    const mirrored = new Map<string, Arrival>()
    const sunk = new Map<string, number>()
    let filteredRecords = 0
    let mirroredRecords = 0
    let sinkLines = 0
    const observers = [
      await followTopic(profile, TOPICS.catalog, (a) => {
        filteredRecords++
        if (!filtered.has(a.key)) filtered.set(a.key, a)
      }),
      await followTopic(analytics, flow.remoteName(TOPICS.catalog), (a) => {
        mirroredRecords++
        if (!mirrored.has(a.key)) mirrored.set(a.key, a)
      }),
      tailSink(path.join(stateDir, 'sink', `${TOPICS.catalog}.jsonl`), (id, at) => {
        sinkLines++
        if (!sunk.has(id)) sunk.set(id, at)
      }),
    ]
    const samples: LagSample[] = []
    observers.push(
      sampleEvery(
        1000,
        {
          acknowledged: () => topicEnd(profile, TOPICS.shopProducts),
          filter: () => consumerGroupLag(profile, 'mkt-filter', TOPICS.shopProducts),
          mirror: async () => (await mirrorStatus(profile, analytics, flow)).find((r) => r.topic === TOPICS.catalog)!.lag,
          sink: () => consumerGroupLag(profile, SINK_GROUP, TOPICS.catalog),
        },
        samples,
      ),
    )

    process.stderr.write(`bench: sending ${CARDS.toLocaleString('en')} cards at ${RATE}/s for ${MINUTES} min through the full stack…\n`)
    const started = Date.now()
    const send = startCli(['shop', 'send', '--generate', String(CARDS), '--seed', '23', '--rate', String(RATE)], env)
    const at = (fraction: number) => sleep(Math.max(0, started + fraction * MINUTES * 60_000 - Date.now()))
    const faults: Fault[] = []
    // Each fault starts on schedule, whether or not the previous one's service is back yet.
    const fault = async (fraction: number, name: string, stage: Fault['stage'], act: () => Promise<void>, partitions?: () => number[]) => {
      await at(fraction)
      process.stderr.write(`bench: ${name}\n`)
      const entry: Fault = {name, stage, at: Date.now(), back: Number.NaN, partitions: partitions?.()}
      faults.push(entry)
      await act()
      entry.back = Date.now()
    }
    const drills = args['no-faults']
      ? []
      : [
          fault(0.15, 'SIGKILL kafka-2, restarted 15 s later', 'filter', async () => {
            await signalService(stateDir, 'kafka-2', 'KILL')
            await sleep(15_000)
            await restartService(stateDir, 'kafka-2')
          }),
          fault(
            0.35,
            'SIGKILL a filter worker (the other takes over)',
            'filter',
            async () => {
              first.child.kill('SIGKILL')
              await first.exited
              await startFilter() // a third one joins, as an operator would start it
            },
            () => assignedPartitions(first),
          ),
          fault(0.5, 'SIGKILL MirrorMaker 2, restarted', 'mirror', async () => {
            await signalService(stateDir, 'mirror', 'KILL')
            await restartService(stateDir, 'mirror')
          }),
          fault(0.7, 'SIGKILL the Connect worker, restarted', 'sink', async () => {
            await signalService(stateDir, 'connect', 'KILL')
            await restartService(stateDir, 'connect')
          }),
        ]
    const sent = await send.exited
    await Promise.all(drills)
    if (sent !== 0) throw new Error(`mkt shop send failed (${sent}): ${send.stderr().slice(-800)}`)
    const sendSeconds = (Date.now() - started) / 1000
    const deadline = Date.now() + 300_000
    while ((filtered.size < CARDS || mirrored.size < CARDS || sunk.size < CARDS) && Date.now() < deadline) await sleep(500)
    for (const observer of observers) await observer.stop()
    for (const worker of workers) worker.child.kill('SIGTERM')
    await Promise.all(workers.map((w) => w.exited))
    keepLogs(workers, send)

    // The final count is read again from the start, read committed: what any consumer would see.
    const counts = async (p: typeof profile, topic: string) => {
      const seen = new Map<string, number>()
      await consumeTopic(p, topic, {onRecord: (r) => seen.set(r.key!, (seen.get(r.key!) ?? 0) + 1)})
      return seen
    }
    printSoakReport({
      cards: CARDS,
      rate: RATE,
      minutes: MINUTES,
      started,
      sendSeconds,
      filtered,
      mirrored,
      sunk,
      records: {filtered: filteredRecords, mirrored: mirroredRecords, sink: sinkLines},
      samples,
      faults,
      final: {filtered: await counts(profile, TOPICS.catalog), mirrored: await counts(analytics, flow.remoteName(TOPICS.catalog))},
    })
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL')
    await runtime.close()
  }
}

await main()
