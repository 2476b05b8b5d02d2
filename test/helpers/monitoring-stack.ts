import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {Gauge, type Registry} from 'prom-client'

import {filterMetrics} from '../../src/filter/metrics.js'
import {recommenderMetrics} from '../../src/recommend/metrics.js'
import {searchMetrics} from '../../src/search/metrics.js'
import {freePortBase} from './ports.js'

/**
 * A real Prometheus (Debian's /usr/bin/prometheus) and a real Alertmanager
 * (/usr/bin/prometheus-alertmanager) on free ports in a temp dir, scraping
 * the workers' own registries (src/filter, src/search, src/recommend
 * metrics.ts) served by this process with traffic going through them, one
 * broker-like target with the JMX exporter's metric names, and two targets
 * nobody answers (a worker and a broker that are down). One rule always
 * fires (`vector(1)`). Prometheus is not wired to Alertmanager, so what
 * Alertmanager holds is what a test posts.
 */
export interface MonitoringStack {
  prometheusUrl: string
  alertmanagerUrl: string
  /** A loopback URL nothing listens on. */
  deadUrl: string
  dir: string
  /** Waits until Prometheus has scraped the workers twice (rates exist). */
  ready: () => Promise<void>
  stop: () => Promise<void>
}

const PROMETHEUS = '/usr/bin/prometheus'
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager'

function serve(body: () => Promise<string> | string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void Promise.resolve(body()).then((text) => {
      res.writeHead(200, {'Content-Type': 'text/plain; version=0.0.4'})
      res.end(text)
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const portOf = (server: http.Server) => (server.address() as AddressInfo).port

/** What a broker's JMX exporter serves (the names compose/jmx/kafka.yml gives). */
function brokerText(messages: number): string {
  return [
    '# TYPE kafka_server_replica_manager_under_replicated_partitions gauge',
    'kafka_server_replica_manager_under_replicated_partitions 2',
    '# TYPE kafka_controller_active_controller_count gauge',
    'kafka_controller_active_controller_count 1',
    '# TYPE kafka_server_replica_manager_leaders gauge',
    'kafka_server_replica_manager_leaders 17',
    '# TYPE kafka_controller_offline_partitions_count gauge',
    'kafka_controller_offline_partitions_count 0',
    '# TYPE kafka_server_messages_in_total counter',
    `kafka_server_messages_in_total{topic="shop-products"} ${messages}`,
    `kafka_server_messages_in_total{topic="filtered-products"} ${Math.floor(messages * 0.9)}`,
    '',
  ].join('\n')
}

async function waitHttp(url: string, child: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}:\n${log()}`)
    try {
      if ((await fetch(url, {signal: AbortSignal.timeout(1000)})).ok) return
    } catch {}
    await sleep(100)
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms:\n${log()}`)
}

function start(command: string, args: string[], cwd: string): {child: ChildProcess; log: () => string} {
  if (!fs.existsSync(command)) throw new Error(`${command} is not installed: sudo apt-get install -y prometheus prometheus-alertmanager`)
  const child = spawn(command, args, {cwd, stdio: ['ignore', 'pipe', 'pipe']})
  let log = ''
  child.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)))
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)))
  return {child, log: () => log}
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

export async function startMonitoringStack(name: string): Promise<MonitoringStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mkt-${name}-`))
  const base = await freePortBase(3)
  const [prometheusPort, alertmanagerPort, deadPort] = [base, base + 1, base + 2]

  // The workers' real registries, with traffic: cards in and through the filter, searches, recommendation replies.
  const filter = filterMetrics({worker: 'test-filter', mode: 'eos'})
  const filterLag = new Gauge({name: 'mkt_consumer_group_lag', help: 'lag', labelNames: ['group', 'topic'], registers: [filter.registry]})
  const search = searchMetrics({worker: 'test-indexer'})
  const recommender = recommenderMetrics({worker: 'test-recommender'})
  let messages = 0
  const traffic = setInterval(() => {
    filter.cardsIn.inc(20)
    filter.passed.inc(18)
    filter.dlq.inc(1)
    filterLag.set({group: 'mkt-filter', topic: 'shop-products'}, 42)
    search.records.inc({change: 'upsert'}, 18)
    search.lag.set(0.2)
    search.products.set({kind: 'visible'}, 1234)
    for (let i = 0; i < 5; i++) search.latency.observe(0.003)
    search.queries.inc({mode: 'full'}, 5)
    recommender.latency.observe(0.04)
    recommender.requests.inc({source: 'spark'})
    messages += 20
  }, 100)
  const registries: Array<[string, Registry]> = [
    ['mkt-filter', filter.registry],
    ['mkt-indexer', search.registry],
    ['mkt-recommender', recommender.registry],
  ]
  const servers = await Promise.all([...registries.map(([, r]) => serve(() => r.metrics())), serve(() => brokerText(messages))])
  const workerTargets = registries.map(
    ([service], i) => `      - targets: ['127.0.0.1:${portOf(servers[i]!)}']\n        labels: {cluster: main, service: ${service}}`,
  )

  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:${prometheusPort}']
        labels: {cluster: main, service: prometheus}
  - job_name: kafka
    static_configs:
      - targets: ['127.0.0.1:${portOf(servers[3]!)}']
        labels: {cluster: main, service: kafka-1}
      - targets: ['127.0.0.1:${deadPort}']
        labels: {cluster: main, service: kafka-2}
  - job_name: mkt-workers
    static_configs:
${workerTargets.join('\n')}
      - targets: ['127.0.0.1:${deadPort}']
        labels: {cluster: main, service: mkt-filter}
`,
  )
  fs.writeFileSync(
    path.join(dir, 'rules.yml'),
    `groups:
  - name: test
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: warning, service: mkt-filter, cluster: main}
        annotations: {summary: 'The test rule always fires'}
`,
  )
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), `route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n`)

  const prometheus = start(
    PROMETHEUS,
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`],
    dir,
  )
  const alertmanager = start(
    ALERTMANAGER,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
      '--cluster.listen-address=',
    ],
    dir,
  )
  const prometheusUrl = `http://127.0.0.1:${prometheusPort}`
  const alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`
  const stop = async () => {
    clearInterval(traffic)
    await Promise.all([stopProcess(prometheus.child), stopProcess(alertmanager.child)])
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    fs.rmSync(dir, {recursive: true, force: true})
  }
  try {
    await Promise.all([
      waitHttp(`${prometheusUrl}/-/ready`, prometheus.child, prometheus.log),
      waitHttp(`${alertmanagerUrl}/-/ready`, alertmanager.child, alertmanager.log),
    ])
  } catch (error) {
    await stop()
    throw error
  }

  const ready = async () => {
    const deadline = Date.now() + 15_000
    // Every worker target is scraped on its own schedule: wait for a rate from each one the tests read.
    const rates = [
      'rate(mkt_filter_cards_in_total[1m]) > 0',
      'rate(kafka_server_messages_in_total[1m]) > 0',
      'rate(mkt_search_query_seconds_count[1m]) > 0',
      'rate(mkt_recommend_requests_total[1m]) > 0',
    ]
    const has = async (query: string) => {
      const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`)
      return ((await response.json()) as {data: {result: unknown[]}}).data.result.length > 0
    }
    while (Date.now() < deadline) {
      if ((await Promise.all(rates.map(has))).every(Boolean)) return
      await sleep(200)
    }
    throw new Error(`Prometheus at ${prometheusUrl} has no rate of every worker's metrics after 15 s:\n${prometheus.log()}`)
  }
  return {prometheusUrl, alertmanagerUrl, deadUrl: `http://127.0.0.1:${deadPort}`, dir, ready, stop}
}

/** Posts an alert to Alertmanager as Prometheus would (POST /api/v2/alerts). */
export async function postAlert(alertmanagerUrl: string, labels: Record<string, string>, annotations: Record<string, string>): Promise<void> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify([{labels, annotations, startsAt: new Date(Date.now() - 90_000).toISOString(), generatorURL: 'http://test/'}]),
  })
  if (!response.ok) throw new Error(`POST /api/v2/alerts: HTTP ${response.status} ${await response.text()}`)
}

/** The critical alert both the API tests and the terminal test post: kafka-2 down. */
export const BROKER_DOWN = {
  labels: {alertname: 'KafkaBrokerDown', severity: 'critical', service: 'kafka-2', cluster: 'main'},
  annotations: {summary: 'Broker kafka-2 (main cluster) is down'},
}
