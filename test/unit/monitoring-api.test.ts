import {execFile} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {isMktError, MktError} from '../../src/errors.js'
import {DEFAULT_LAYOUT} from '../../src/infra/graph.js'
import {firingAlerts, type AlertList} from '../../src/monitoring/alerts.js'
import {instantQuery, prometheusAlerts} from '../../src/monitoring/prometheus-api.js'
import {platformSnapshot, SNAPSHOT_QUERIES, type PlatformSnapshot} from '../../src/monitoring/snapshot.js'
import {monitoringUrls} from '../../src/ui/monitoring-urls.js'
import {BROKER_DOWN, postAlert, startMonitoringStack, type MonitoringStack} from '../helpers/monitoring-stack.js'

const root = path.resolve(import.meta.dirname, '../..')
let stack: MonitoringStack

/** `mkt <command>` from its source (test/helpers/run-command.ts), with a config and state dir of its own. */
async function mkt(command: string, args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  const env = {...process.env, NO_COLOR: '1', MKT_CONFIG: path.join(stack.dir, 'config.yaml'), MKT_STATE_DIR: path.join(stack.dir, 'state')}
  try {
    const {stdout, stderr} = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/run-command.ts', `commands/${command}.ts`, ...args],
      {
        cwd: root,
        env,
        encoding: 'utf8',
      },
    )
    return {code: 0, stdout, stderr}
  } catch (error) {
    const e = error as {code: number; stdout: string; stderr: string}
    return {code: e.code, stdout: e.stdout, stderr: e.stderr}
  }
}

async function rejection(promise: Promise<unknown>): Promise<MktError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isMktError(error)) throw new Error(`expected an MktError, got ${String(error)}`)
  return error
}

beforeAll(async () => {
  stack = await startMonitoringStack('monitoring-api')
  await Promise.all([
    stack.ready(),
    postAlert(stack.alertmanagerUrl, BROKER_DOWN.labels, BROKER_DOWN.annotations),
    postAlert(
      stack.alertmanagerUrl,
      {alertname: 'FilterDlqReceiving', severity: 'warning', service: 'mkt-filter'},
      {summary: '3 records went to the filter DLQ'},
    ),
  ])
}, 30_000)

afterAll(async () => {
  await stack?.stop()
})

describe('the Prometheus and Alertmanager clients, against real ones', () => {
  it('queries instant vectors with their labels, and every snapshot query is valid PromQL', async () => {
    const [sample] = await instantQuery(stack.prometheusUrl, 'mkt_filter_cards_in_total{job="mkt-workers"}')
    expect(sample?.labels).toMatchObject({__name__: 'mkt_filter_cards_in_total', service: 'mkt-filter', cluster: 'main', worker: 'test-filter'})
    expect(sample?.value).toBeGreaterThan(0)
    // A query Prometheus refuses would fail here, not in front of a user; an absent series is [] (null in a snapshot).
    for (const query of Object.values(SNAPSHOT_QUERIES)) expect(Array.isArray(await instantQuery(stack.prometheusUrl, query)), query).toBe(true)
    expect(await instantQuery(stack.prometheusUrl, 'kafka_connect_sink_task_sink_record_read')).toEqual([])
  })

  it('reads the whole platform into one snapshot: stage rates, workers and brokers up or down, latency; null where there is no series', async () => {
    const s: PlatformSnapshot = await platformSnapshot(stack.prometheusUrl, stack.alertmanagerUrl)
    const stage = (id: string) => s.stages.find((x) => x.id === id)!
    expect(stage('filter').inRate).toBeGreaterThan(0)
    expect(stage('filter').outRate).toBeGreaterThan(0)
    expect(stage('filter').dlqRate).toBeGreaterThan(0)
    expect(stage('filter').lag).toBe(42)
    expect(stage('shop').inRate).toBeGreaterThan(0)
    expect(stage('indexer')).toMatchObject({lag: 0.2, lagUnit: 's'})
    expect(stage('recommender').outRate).toBeGreaterThan(0)
    expect(stage('connect')).toMatchObject({inRate: null, outRate: null, lag: null, failedTasks: null})
    expect(stage('mirror')).toMatchObject({outRate: null, lag: null})

    const workers = s.workers.map((w) => `${w.service} ${w.up ? 'up' : 'down'}`).sort()
    expect(workers).toEqual(['mkt-filter down', 'mkt-filter up', 'mkt-indexer up', 'mkt-recommender up'])
    expect(s.workers.find((w) => w.up && w.service === 'mkt-filter')!.memoryBytes).toBeGreaterThan(10_000_000)
    expect(s.brokers.map((b) => [b.service, b.up, b.activeController, b.underReplicated, b.leaders])).toEqual([
      ['kafka-1', true, true, 2, 17],
      ['kafka-2', false, null, null, null],
    ])
    expect(s.clusters).toEqual([{cluster: 'main', brokersUp: 1, brokers: 2, activeControllers: 1, underReplicated: 2, offlinePartitions: 0}])
    expect(s.services.map((t) => t.job)).toEqual(['prometheus'])
    expect(s.search.qps).toBeGreaterThan(0)
    expect(s.search.p99Seconds).toBeGreaterThan(0.0025)
    expect(s.search.p99Seconds).toBeLessThanOrEqual(0.005)
    expect(s.search.documents).toBe(1234)
    expect(s.search.freshnessP99Seconds).toBeNull()
    expect(s.recommend.p99Seconds).toBeGreaterThan(0.025)
    expect(s.recommend.timeouts5m).toBe(0)
    expect(s.alerts.source).toBe('alertmanager')
    expect(s.alerts.alerts.map((a) => a.name)).toEqual(['KafkaBrokerDown', 'FilterDlqReceiving'])
  })

  it("lists Alertmanager's alerts, most severe first; silenced ones only when asked", async () => {
    const silence = await fetch(`${stack.alertmanagerUrl}/api/v2/silences`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({
        matchers: [{name: 'alertname', value: 'FilterDlqReceiving', isRegex: false, isEqual: true}],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'test',
        comment: 'known',
      }),
    })
    expect(silence.status).toBe(200)
    const active = await firingAlerts({alertmanagerUrl: stack.alertmanagerUrl, prometheusUrl: stack.prometheusUrl})
    expect(active.alerts).toEqual([
      expect.objectContaining({
        name: 'KafkaBrokerDown',
        severity: 'critical',
        service: 'kafka-2',
        cluster: 'main',
        summary: 'Broker kafka-2 (main cluster) is down',
        state: 'active',
      }),
    ])
    const all = await firingAlerts({alertmanagerUrl: stack.alertmanagerUrl, includeSuppressed: true})
    expect(all.alerts.map((a) => `${a.name} ${a.state}`)).toEqual(['KafkaBrokerDown active', 'FilterDlqReceiving suppressed'])
  })

  it("falls back to Prometheus's firing rules when Alertmanager does not answer", async () => {
    expect((await prometheusAlerts(stack.prometheusUrl)).map((a) => [a.labels.alertname, a.state])).toEqual([['AlwaysFiring', 'firing']])
    const list = await firingAlerts({alertmanagerUrl: stack.deadUrl, prometheusUrl: stack.prometheusUrl})
    expect(list).toMatchObject({source: 'prometheus', url: stack.prometheusUrl, alerts: [{name: 'AlwaysFiring', severity: 'warning', state: 'firing'}]})
    expect(list.alertmanagerError).toMatch(`Alertmanager does not answer at ${stack.deadUrl} (connect ECONNREFUSED`)
    const snapshot = await platformSnapshot(stack.prometheusUrl, stack.deadUrl)
    expect(snapshot.alerts.source).toBe('prometheus')
  })

  it('a Prometheus that does not answer is one clear error naming the URL and what to do', async () => {
    const error = await rejection(platformSnapshot(stack.deadUrl, stack.alertmanagerUrl))
    expect(error.message).toMatch(new RegExp(`^Prometheus does not answer at ${stack.deadUrl} \\(connect ECONNREFUSED [0-9.:]+\\)\\.$`))
    expect(error.suggestion).toContain('mkt infra up --stack full')
    expect(error.suggestion).toContain('--prometheus-url')
    expect(error.exitCode).toBe(4)
    const both = await rejection(firingAlerts({alertmanagerUrl: stack.deadUrl, prometheusUrl: stack.deadUrl}))
    expect(both.message).toBe(`Neither Alertmanager at ${stack.deadUrl} nor Prometheus at ${stack.deadUrl} answers.`)
  })

  it('resolves the URLs: flag, then MKT_* environment, then the local runtime, then the defaults', () => {
    const stateDir = path.join(stack.dir, 'runtime')
    fs.mkdirSync(stateDir, {recursive: true})
    expect(monitoringUrls({}, stateDir, {})).toEqual({
      prometheus: {url: `http://127.0.0.1:${DEFAULT_LAYOUT.prometheusPort}`, source: 'default'},
      alertmanager: {url: `http://127.0.0.1:${DEFAULT_LAYOUT.alertmanagerPort}`, source: 'default'},
    })
    fs.writeFileSync(
      path.join(stateDir, 'runtime.json'),
      JSON.stringify({version: 1, runtime: 'local', layout: {prometheusPort: 19090, alertmanagerPort: 19093}}),
    )
    expect(monitoringUrls({}, stateDir, {})).toEqual({
      prometheus: {url: 'http://127.0.0.1:19090', source: 'runtime'},
      alertmanager: {url: 'http://127.0.0.1:19093', source: 'runtime'},
    })
    const env = {MKT_PROMETHEUS_URL: 'http://env:1', MKT_ALERTMANAGER_URL: 'http://env:2'}
    expect(monitoringUrls({'alertmanager-url': 'http://flag:3'}, stateDir, env)).toEqual({
      prometheus: {url: 'http://env:1', source: 'env'},
      alertmanager: {url: 'http://flag:3', source: 'flag'},
    })
  })
})

describe('mkt alerts and mkt top as a script sees them', () => {
  // Each run starts Node with tsx: a few seconds of CPU each.
  it('mkt alerts --json lists what fires and exits 0; --fail-on-firing exits 6', {timeout: 30_000}, async () => {
    const urls = ['--alertmanager-url', stack.alertmanagerUrl, '--prometheus-url', stack.prometheusUrl]
    const [json, table, failing] = await Promise.all([
      mkt('alerts', ['--json', ...urls]),
      mkt('alerts', urls),
      mkt('alerts', ['--json', '--fail-on-firing', '--severity', 'critical', ...urls]),
    ])
    expect(json.code, json.stderr).toBe(0)
    const list = JSON.parse(json.stdout) as AlertList & {firing: number}
    expect(list).toMatchObject({source: 'alertmanager', url: stack.alertmanagerUrl, firing: 1})
    expect(list.alerts.map((a) => a.name)).toContain('KafkaBrokerDown')

    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^\s*alert\s+severity\s+service \/ cluster\s+since\s+summary$/m)
    expect(table.stdout).toMatch(/^\s*KafkaBrokerDown\s+critical\s+kafka-2 \/ main\s+\d+m\d\ds ago\s+Broker kafka-2 \(main cluster\) is down$/m)
    expect(table.stdout).toContain(`1 alert(s) firing (Alertmanager at ${stack.alertmanagerUrl}).`)

    expect(failing.code).toBe(6)
    expect((JSON.parse(failing.stdout) as AlertList).alerts).toHaveLength(1)
  })

  it('mkt top off a terminal prints one snapshot; an unreachable Prometheus exits 4 with the error', {timeout: 30_000}, async () => {
    const [lines, dead] = await Promise.all([
      mkt('top', ['--prometheus-url', stack.prometheusUrl, '--alertmanager-url', stack.alertmanagerUrl]),
      mkt('top', ['--json', '--prometheus-url', stack.deadUrl]),
    ])
    expect(lines.code, lines.stderr).toBe(0)
    expect(lines.stdout).toMatch(/^\s*filter\s+\d+(\.\d)?\s+\d+(\.\d)?\s+42 rec\s+dlq \d+\.\d\/s$/m)
    expect(lines.stdout).toMatch(/^\s*connect sink\s+–\s+–\s+–$/m)
    expect(lines.stdout).toMatch(/^\s*kafka-2\s+main\s+down\s+–/m)
    expect(lines.stdout).toContain(`Alerts: 1 firing (alertmanager ${stack.alertmanagerUrl})`)
    expect(dead.code).toBe(4)
    expect(JSON.parse(dead.stdout)).toMatchObject({
      error: {code: 'unreachable', message: expect.stringContaining(`Prometheus does not answer at ${stack.deadUrl}`)},
    })
  })
})
