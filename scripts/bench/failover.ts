/**
 * npm run bench:failover — a steady `mkt shop send` through two exactly-once
 * filter workers on three brokers; a broker is SIGKILLed and restarted, then
 * a worker is SIGKILLed, then the other one stops cleanly. Prints the send's
 * longest stall, both takeover times and the end-to-end latency (produce →
 * filtered-products, read committed) before, during and after, and checks at
 * the end that the catalogue holds every card exactly once.
 */
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {consumeTopic} from '../../src/consume/index.js'
import {restartService, signalService} from '../../src/infra/index.js'
import {withAdmin} from '../../src/kafka/client.js'
import {openPartitionReader} from '../../src/kafka/reader.js'
import {percentile} from './measure.js'
import {renderTable} from '../../src/ui/table.js'
import {startCli} from '../../test/helpers/spawn.js'
import {benchRuntime, createTopic} from './runtime.js'

const RATE = Number(process.env.BENCH_RATE ?? 1000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 70)
const CARDS = RATE * SECONDS

async function main(): Promise<void> {
  const runtime = await benchRuntime(3)
  const {profile, stateDir} = runtime
  const env = {MKT_CONFIG: path.join(runtime.root, 'config.yaml'), MKT_PROFILE: 'bench:admin', MKT_LOG_LEVEL: 'info'}
  const replicated = {'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false'}
  try {
    for (const [topic, partitions] of [
      ['fo-in', 6],
      ['fo-out', 6],
      ['fo-events', 3],
      ['fo-dlq', 3],
      ['fo-bans', 1],
    ] as const)
      await createTopic(profile, topic, partitions, 3, replicated)
    const filterArgs = [
      'filter',
      'start',
      '--group',
      'fo',
      '--input-topic',
      'fo-in',
      '--output-topic',
      'fo-out',
      '--events-topic',
      'fo-events',
      '--dlq-topic',
      'fo-dlq',
      '--bans-topic',
      'fo-bans',
      '--metrics-port',
      '0',
    ]
    const a = startCli(filterArgs, env, process.env.BENCH_FILTER_BIN)
    const b = startCli(filterArgs, env, process.env.BENCH_FILTER_BIN)
    await Promise.all([a.waitFor(/"msg":"filtering"/, 60_000, 'stderr'), b.waitFor(/"msg":"filtering"/, 60_000, 'stderr')])
    await sleep(3000) // both joined: three partitions each

    // Every committed output record, as the indexer would see it: arrival time, produce time, partition.
    const seen: Array<{at: number; latency: number; partition: number; key: string}> = []
    const reader = await openPartitionReader(profile, {role: 'bench', topic: 'fo-out', starts: new Map([0, 1, 2, 3, 4, 5].map((p) => [p, 0n])), maxWaitMs: 20})
    let reading = true
    const follow = (async () => {
      while (reading) {
        for (const item of await reader.next()) {
          if (item.kind !== 'message') continue
          const now = Date.now()
          seen.push({at: now, latency: now - (item.message.timestamp ?? now), partition: item.message.partition, key: item.message.key!.toString()})
        }
      }
    })()
    // The send's progress, as Kafka acknowledges it: the input topic's end offsets every 100 ms.
    const acked: Array<{at: number; total: number}> = []
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        const total = await withAdmin(profile, async (admin) => (await admin.fetchTopicOffsets('fo-in')).reduce((s, o) => s + Number(o.high), 0), {
          retries: 1,
          requestTimeout: 2000,
        }).catch(() => undefined)
        if (total !== undefined) acked.push({at: Date.now(), total})
        await sleep(100)
      }
    })()

    const started = Date.now()
    process.stderr.write(`bench: sending ${CARDS} cards at ${RATE}/s through two filter workers on 3 brokers…\n`)
    const send = startCli(['shop', 'send', '--generate', String(CARDS), '--seed', '11', '--rate', String(RATE), '--topic', 'fo-in'], env)
    const phase: Record<string, number> = {}
    const at = async (s: number) => sleep(Math.max(0, started + s * 1000 - Date.now()))

    await at(15)
    phase.brokerKilled = Date.now()
    await signalService(stateDir, 'kafka-2', 'KILL')
    await at(25)
    await restartService(stateDir, 'kafka-2')
    phase.brokerBack = Date.now()

    await at(40)
    const partitionsOf = (w: typeof a) => {
      const line = w
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"partitions assigned"'))
        .at(-1)
      return line ? ((JSON.parse(line) as {assignment: number[]}).assignment ?? []) : []
    }
    const killedParts = partitionsOf(a)
    phase.workerKilled = Date.now()
    a.child.kill('SIGKILL')
    await a.exited
    const firstAfter = (since: number, parts: number[]) => seen.find((r) => r.at > since && parts.includes(r.partition) && Date.now() - r.latency > since)?.at
    const takeover = async (since: number, parts: number[]) => {
      const deadline = since + 60_000
      while (Date.now() < deadline) {
        const first = firstAfter(since, parts)
        if (first) return first - since
        await sleep(50)
      }
      return Number.NaN
    }
    const killTakeover = await takeover(phase.workerKilled, killedParts)
    const handover = (survivor: typeof a, since: number, parts: number[]) => {
      const line = survivor
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"partitions assigned"'))
        .map((l) => JSON.parse(l) as {time: string; partitions: number[]})
        .find((l) => Date.parse(l.time) > since && l.partitions.some((p) => parts.includes(p)))
      return line ? Date.parse(line.time) - since : Number.NaN
    }
    const killHandover = handover(b, phase.workerKilled, killedParts)

    const c = startCli(filterArgs, env)
    await c.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
    await at(55)
    const stoppedParts = partitionsOf(b)
    phase.workerStopped = Date.now()
    b.child.kill('SIGTERM')
    const stopTakeover = await takeover(phase.workerStopped, stoppedParts)
    await b.exited
    const stopHandover = handover(c, phase.workerStopped, stoppedParts)

    const sent = await send.exited
    if (sent !== 0) throw new Error(`mkt shop send failed (${sent}): ${send.stderr().slice(-800)}`)
    const deadline = Date.now() + 120_000
    while (new Set(seen.map((r) => r.key)).size < CARDS && Date.now() < deadline) await sleep(200)
    reading = false
    sampling = false
    await Promise.all([follow, sampler])
    await reader.close()
    c.child.kill('SIGTERM')
    await c.exited

    // Stall: the longest time the acknowledged count of the send did not move while it was running.
    let stall = 0
    let from = acked[0]!
    for (const sample of acked) {
      if (sample.total !== from.total || sample.total >= CARDS) {
        if (from.total < CARDS) stall = Math.max(stall, sample.at - from.at)
        from = sample
      }
    }
    const windows: Array<[string, number, number]> = [
      ['before the broker kill', started, phase.brokerKilled!],
      ['broker down (kill → back)', phase.brokerKilled!, phase.brokerBack! + 5000],
      ['worker killed (10 s after)', phase.workerKilled!, phase.workerKilled! + 10_000],
      ['worker stopped cleanly (10 s after)', phase.workerStopped!, phase.workerStopped! + 10_000],
      ['steady after', phase.workerStopped! + 10_000, Number.POSITIVE_INFINITY],
    ]
    const rows = windows.map(([name, lo, hi]) => {
      const lat = seen
        .filter((r) => r.at - r.latency >= lo && r.at - r.latency < hi)
        .map((r) => r.latency)
        .sort((x, y) => x - y)
      return [name, lat.length, `${percentile(lat, 50)} ms`, `${percentile(lat, 99)} ms`, `${lat.at(-1) ?? Number.NaN} ms`]
    })
    // The same latencies on a timeline (5 s buckets by produce time), to see where each disturbance starts and ends.
    const timeline: Array<Array<string | number>> = []
    for (let t = 0; t < SECONDS + 5; t += 5) {
      const lat = seen
        .filter((r) => r.at - r.latency >= started + t * 1000 && r.at - r.latency < started + (t + 5) * 1000)
        .map((r) => r.latency)
        .sort((x, y) => x - y)
      if (lat.length === 0) continue
      const events = Object.entries(phase)
        .filter(([, when]) => when >= started + t * 1000 && when < started + (t + 5) * 1000)
        .map(([name]) => name)
      timeline.push([`${t}-${t + 5} s`, lat.length, `${percentile(lat, 50)} ms`, `${percentile(lat, 99)} ms`, events.join(', ')])
    }
    const counts = new Map<string, number>()
    await consumeTopic(profile, 'fo-out', {onRecord: (r) => counts.set(r.key!, (counts.get(r.key!) ?? 0) + 1)})
    const duplicated = [...counts.values()].filter((n) => n > 1).length

    console.log(
      `\nFailover: ${CARDS.toLocaleString('en')} cards at ${RATE}/s, 3 brokers (replication 3, min.insync.replicas 2), two exactly-once filter workers\n`,
    )
    console.log(renderTable(['phase (by produce time)', 'cards', 'latency p50', 'latency p99', 'max'], rows))
    console.log('')
    console.log(renderTable(['produced at', 'cards', 'latency p50', 'latency p99', 'events'], timeline))
    console.log('')
    console.log(
      renderTable(
        ['event', 'time'],
        [
          ['longest stall of the send (no acknowledgement)', `${stall} ms`],
          [`SIGKILL of a worker (partitions ${killedParts.join(', ')}): survivor assigned them after`, `${killHandover} ms`],
          ['  … first output of a card produced after the kill, on those partitions', `${killTakeover} ms`],
          [`clean stop of a worker (partitions ${stoppedParts.join(', ')}): survivor assigned them after`, `${stopHandover} ms`],
          ['  … first output of a card produced after the stop, on those partitions', `${stopTakeover} ms`],
        ],
      ),
    )
    console.log(
      `\nCheck: ${counts.size.toLocaleString('en')} of ${CARDS.toLocaleString('en')} cards in fo-out, ${duplicated} duplicated → ${counts.size === CARDS && duplicated === 0 ? 'nothing lost or duplicated' : 'DEFECT'}`,
    )
  } finally {
    await runtime.close()
  }
}

await main()
