import fs from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {prometheusUrl, readRuntimeState} from '../../src/infra/index.js'
import {prometheusTargetsDir} from '../../src/metrics/index.js'
import {dashboardQueries, loadDashboards} from '../../src/monitoring/index.js'
import {instantQuery} from '../../src/monitoring/prometheus-api.js'
import {SNAPSHOT_QUERIES} from '../../src/monitoring/snapshot.js'
import {runCli} from '../helpers/cli.js'
import {freePortBase} from '../helpers/ports.js'
import {startCli, type Running} from '../helpers/spawn.js'
import {cardsFile, until} from './helpers.js'

const stateDir = inject('stateDir')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: undefined, MKT_BROKERS: undefined, MKT_STATE_DIR: undefined, MKT_SEARCH_URL: undefined}

/**
 * Grafana cannot run here, so its dashboards are proven the other way round:
 * with the whole pipeline running on the full stack (filter, indexer and
 * recommender as the commands users start, registered with Prometheus as
 * they start; cards, bans, searches and recommendation requests flowing),
 * every panel's PromQL is asked of the real Prometheus and must return series.
 */
describe('the Grafana dashboards against the running platform', () => {
  const workers: Running[] = []
  let searchPort: number
  const prometheus = () => prometheusUrl(readRuntimeState(stateDir)!.layout)
  const workerFiles = () => fs.readdirSync(path.join(prometheusTargetsDir(stateDir), 'workers')).filter((f) => /^mkt-(filter|indexer|recommender)-/.test(f))

  beforeAll(async () => {
    searchPort = await freePortBase(1)
    const before = new Set(workerFiles())
    workers.push(
      startCli(['filter', 'start', '--metrics-port', '0'], env),
      startCli(['index', 'start', '--port', String(searchPort)], env),
      startCli(['recommend', 'serve', '--metrics-port', '0'], env),
    )
    for (const worker of workers) await worker.waitFor(/"msg":"serving/, 90_000, 'stderr')
    await until(() => workerFiles().filter((f) => !before.has(f)).length >= 3, 10_000, 'the three workers to register with Prometheus')

    const {file} = cardsFile(600, 14, 14_000_000)
    expect((await runCli(['shop', 'send', '--file', file], env)).code).toBe(0)
    expect((await runCli(['ban', 'add', '--product-id', '14000001', '--reason', 'dashboards test'], env)).code).toBe(0)
    for (const q of ['телефон', 'кроссовки', 'чайник', 'книга', 'рюкзак']) {
      const response = await fetch(`http://127.0.0.1:${searchPort}/search?q=${encodeURIComponent(q)}`)
      expect(response.ok).toBe(true)
    }
    for (const user of ['dash-u1', 'dash-u2']) expect((await runCli(['recommend', '--user', user, '--wait', '--timeout', '20', '--json'], env)).code).toBe(0)
    // Rates over [1m] need two scrapes of the new values (every 15 s).
    await sleep(35_000)
  }, 300_000)

  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGTERM')
    await Promise.all(workers.map((w) => w.exited))
  }, 60_000)

  it('returns series for every query of every panel', {timeout: 120_000}, async () => {
    const queries = loadDashboards().flatMap(dashboardQueries)
    expect(queries.length).toBeGreaterThan(20)
    const empty: string[] = []
    for (const q of queries) {
      const result = await instantQuery(prometheus(), q.expr)
      if (result.length === 0) empty.push(`${q.dashboard} / ${q.panel} (${q.refId}): ${q.expr}`)
    }
    expect(empty, 'panels whose query returns no series').toEqual([])
  })

  it("returns series for every query of `mkt top`'s snapshot", {timeout: 60_000}, async () => {
    const empty: string[] = []
    for (const [name, expr] of Object.entries(SNAPSHOT_QUERIES)) if ((await instantQuery(prometheus(), expr)).length === 0) empty.push(`${name}: ${expr}`)
    expect(empty, 'snapshot queries without series').toEqual([])
  })

  it('shows the running pipeline in `mkt top --json` and lists alerts with `mkt alerts --json`', {timeout: 60_000}, async () => {
    const top = await runCli(['top', '--json'], env)
    expect(top.code, top.stderr).toBe(0)
    const snapshot = top.json<Record<string, unknown>>()
    expect(JSON.stringify(snapshot)).toMatch(/kafka-1[\s\S]*kafka-2[\s\S]*kafka-3/)
    const alerts = await runCli(['alerts', '--json'], env)
    expect(alerts.code, alerts.stderr).toBe(0)
  })

  it('forgets a worker in Prometheus once it stops cleanly', {timeout: 60_000}, async () => {
    const registered = workerFiles()
    const filter = workers[0]!
    filter.child.kill('SIGTERM')
    expect(await filter.exited).toBe(0)
    expect(workerFiles().length).toBe(registered.length - 1)
  })
})
