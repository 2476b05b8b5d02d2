import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, inject, it} from 'vitest'

import {signalService} from '../../src/infra/index.js'
import {withAdmin} from '../../src/kafka/client.js'
import {runCli} from '../helpers/cli.js'
import {freePortBase} from '../helpers/ports.js'
import {startCli, type Running} from '../helpers/spawn.js'
import {groupLag, waitForCaughtUp} from '../helpers/topics.js'
import {cardsFile, chaosLane, defects, filterArgs, keyCounts, until} from './helpers.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined, MKT_LOG_LEVEL: 'info', NO_COLOR: '1'}

async function written(topic: string): Promise<number> {
  return withAdmin(profile, async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0))
}

async function send(file: string, topic: string): Promise<void> {
  const result = await runCli(['shop', 'send', '--file', file, '--topic', topic], env, 300_000)
  expect(result.code, result.stderr).toBe(0)
}

describe('workers started together, and stopped at awkward moments', () => {
  it('filter, indexer and recommender started at once while cards arrive all come up and stop cleanly', {timeout: 300_000}, async () => {
    const lane = await chaosLane(profile, 'chaos-start')
    const {file} = cardsFile(20_000, 21, 6_500_000)
    const port = String(await freePortBase(1))
    const sending = send(file, lane.input)
    const workers = [
      startCli(filterArgs(lane), env),
      startCli(
        [
          'index',
          'start',
          '--port',
          port,
          '--topic',
          lane.output,
          '--bans-topic',
          lane.bans,
          '--snapshot-file',
          path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-chaos-st-')), 's'),
        ],
        env,
      ),
      startCli(['recommend', 'serve', '--metrics-port', '0'], env),
    ]
    await Promise.all([
      workers[0]!.waitFor(/"msg":"filtering"/, 90_000, 'stderr'),
      workers[1]!.waitFor(/"msg":"serving"/, 90_000, 'stderr'),
      workers[2]!.waitFor(/"msg":"answering requests"/, 90_000, 'stderr'),
    ])
    await sending
    await waitForCaughtUp(profile, lane.group, lane.input, 120_000)
    for (const w of workers) w.child.kill('SIGTERM')
    for (const w of workers) {
      expect(await w.exited, w.stderr().slice(-1500)).toBe(0)
      expect(w.stderr()).not.toMatch(/Unexpected error/)
    }
  })

  it('a SIGTERM while the filter starts (its registry frozen), or while it takes partitions over, stops it', {timeout: 300_000}, async () => {
    const lane = await chaosLane(profile, 'chaos-term')
    // A start that hangs on a dependency (the registry frozen) must still give way to SIGTERM.
    await signalService(stateDir, 'registry', 'STOP')
    try {
      const early = startCli(filterArgs(lane), env)
      await new Promise((r) => setTimeout(r, 4000))
      early.child.kill('SIGTERM')
      const code = await Promise.race([early.exited, new Promise<string>((r) => setTimeout(() => r('still running 30 s after SIGTERM'), 30_000))])
      if (typeof code === 'string') early.child.kill('SIGKILL')
      expect(code, early.stderr().slice(-1500)).toBe(0)
      expect(early.stderr()).toMatch(/"msg":"stopped before it was up"/)
    } finally {
      await signalService(stateDir, 'registry', 'CONT')
    }

    const first = startCli(filterArgs(lane), env)
    await first.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
    const second = startCli(filterArgs(lane), env)
    await second.waitFor(/"msg":"ban list loaded"/, 60_000, 'stderr') // about to join: the group rebalances
    second.child.kill('SIGTERM')
    const started = Date.now()
    expect(await second.exited, second.stderr().slice(-1500)).toBe(0)
    expect(Date.now() - started).toBeLessThan(20_000)
    await new Promise((r) => setTimeout(r, 5000))
    expect(second.child.exitCode).toBe(0) // and it stays stopped: nothing rejoins after the stop
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
  })
})

describe('a frozen filter (SIGSTOP) is fenced when it wakes', () => {
  it('the worker that took over writes everything once; the woken one commits nothing it held', {timeout: 300_000}, async () => {
    const lane = await chaosLane(profile, 'chaos-stop')
    const {file, ids} = cardsFile(60_000, 31, 6_000_000)
    await send(file, lane.input)
    const frozen = startCli(filterArgs(lane), env)
    await frozen.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
    await until(async () => (await written(lane.output)) > 5000, 60_000, 'the first worker to forward cards')
    frozen.child.kill('SIGSTOP')
    const frozenAt = await written(lane.output)

    const taker = startCli(filterArgs(lane), env)
    await waitForCaughtUp(profile, lane.group, lane.input, 120_000)
    // Wake the frozen one: whatever it had in flight must be refused (its generation and epoch are gone).
    frozen.child.kill('SIGCONT')
    await frozen.waitFor(/partitions (lost|revoked)|batch failed/, 60_000, 'stderr')
    await new Promise((r) => setTimeout(r, 3000))
    expect(await groupLag(profile, lane.group, lane.input)).toBe(0)

    const output = defects(await keyCounts(profile, lane.output), ids)
    expect(output.duplicated).toEqual([])
    expect(output.missing).toEqual([])
    expect(frozenAt).toBeGreaterThan(0)
    for (const worker of [frozen, taker]) worker.child.kill('SIGTERM')
    expect(await taker.exited, taker.stderr().slice(-1500)).toBe(0)
    expect(await frozen.exited, frozen.stderr().slice(-1500)).toBe(0)
  })
})

describe('the indexer killed (-9) and frozen (SIGSTOP) mid-flow', () => {
  it('comes back from its snapshot and catches up to every card', {timeout: 300_000}, async () => {
    const lane = await chaosLane(profile, 'chaos-idx')
    const {file, ids} = cardsFile(40_000, 41, 7_000_000)
    const snapshotFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-chaos-idx-')), 'catalog.snapshot')
    const port = await freePortBase(1)
    const args = [
      'index',
      'start',
      '--port',
      String(port),
      '--topic',
      lane.output,
      '--bans-topic',
      lane.bans,
      '--snapshot-file',
      snapshotFile,
      '--snapshot-interval',
      '1',
    ]
    const health = async () => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {products: number; caughtUp: boolean}
    const filter = startCli(filterArgs(lane), env)
    await filter.waitFor(/"msg":"filtering"/, 60_000, 'stderr')

    let indexer: Running = startCli(args, env)
    await indexer.waitFor(/"msg":"serving"/, 60_000, 'stderr')
    const sending = send(file, lane.input)
    await until(async () => (await health().catch(() => ({products: 0}))).products > 5000, 120_000, 'the indexer to hold cards')
    await until(() => fs.existsSync(snapshotFile), 30_000, 'a snapshot')
    indexer.child.kill('SIGKILL')
    expect(await indexer.exited).toBe(-1)

    indexer = startCli(args, env)
    await indexer.waitFor(/"msg":"serving"/, 60_000, 'stderr')
    indexer.child.kill('SIGSTOP')
    await new Promise((r) => setTimeout(r, 3000))
    indexer.child.kill('SIGCONT')
    await sending
    await waitForCaughtUp(profile, lane.group, lane.input, 120_000)
    await until(async () => (await health()).products === ids.length, 120_000, `the indexer to hold all ${ids.length} cards`)
    expect(indexer.stderr()).toMatch(/snapshot loaded; catching up from its offsets/)
    for (const worker of [indexer, filter]) worker.child.kill('SIGTERM')
    expect(await indexer.exited, indexer.stderr().slice(-3000)).toBe(0)
    expect(await filter.exited, filter.stderr().slice(-3000)).toBe(0)
  })
})

describe('the recommender killed (-9) and frozen (SIGSTOP)', () => {
  it('answers what was asked while it was down once it is back, and a frozen one answers once thawed', {timeout: 300_000}, async () => {
    const metrics = String(await freePortBase(1))
    let serve = startCli(['recommend', 'serve', '--metrics-port', metrics], env)
    await serve.waitFor(/"msg":"answering requests"/, 60_000, 'stderr')
    const first = await runCli(['recommend', '--user', 'chaos-u1', '--wait', '--json'], env)
    expect(first.code, first.stderr).toBe(0)

    serve.child.kill('SIGKILL')
    expect(await serve.exited).toBe(-1)
    const queued = await runCli(['recommend', '--user', 'chaos-u2', '--json'], env)
    expect(queued.code, queued.stderr).toBe(0)
    const requestId = queued.json<{request: {request_id: string}}>().request.request_id

    serve = startCli(['recommend', 'serve', '--metrics-port', metrics], env)
    await serve.waitFor(/"msg":"answering requests"/, 60_000, 'stderr')
    await until(
      async () => (await keyCounts(profile, 'recommendations-results')).has(requestId),
      60_000,
      'the reply to the request sent while the recommender was down',
    )

    serve.child.kill('SIGSTOP')
    const frozen = await runCli(['recommend', '--user', 'chaos-u3', '--wait', '--timeout', '3'], env)
    expect(frozen.code, frozen.stderr).toBe(11)
    expect(frozen.stderr).toMatch(/No reply to request \S+ within 3 s/)
    serve.child.kill('SIGCONT')
    const thawed = await runCli(['recommend', '--user', 'chaos-u4', '--wait', '--timeout', '20', '--json'], env)
    expect(thawed.code, thawed.stderr).toBe(0)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
  })
})
