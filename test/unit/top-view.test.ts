import {stripVTControlCharacters} from 'node:util'
import {setTimeout as sleep} from 'node:timers/promises'

import {render, cleanup} from 'ink-testing-library'
import {createElement as h} from 'react'
import {afterEach, describe, expect, it} from 'vitest'

import {MktError} from '../../src/errors.js'
import type {PlatformSnapshot} from '../../src/monitoring/snapshot.js'
import {TopApp} from '../../src/ui/top/app.js'
import {snapshotLines} from '../../src/ui/top/index.js'

const at = new Date(Date.now() - 2000).toISOString()

/** A platform with traffic, one broker down, a stage that does not run (no series) and two firing alerts. */
const snapshot: PlatformSnapshot = {
  at,
  prometheusUrl: 'http://prom.test:9090',
  stages: [
    {id: 'shop', name: 'shop → shop-products', inRate: 412.4, outRate: null, lag: null, lagUnit: 'records'},
    {id: 'filter', name: 'filter', inRate: 410.04, outRate: 398.2, dlqRate: 1.5, lag: 1234, lagUnit: 'records'},
    {id: 'mirror', name: 'filtered-products → mirror', inRate: 398.2, outRate: 397, lag: 840, lagUnit: 'ms'},
    {id: 'connect', name: 'connect sink', inRate: null, outRate: null, failedTasks: null, lag: null, lagUnit: 'records'},
    {id: 'indexer', name: 'indexer', inRate: 398.2, outRate: null, lag: 0.31, lagUnit: 's'},
    {id: 'recommender', name: 'recommender', inRate: 3, outRate: 3, lag: 0, lagUnit: 'records'},
  ],
  clusters: [{cluster: 'main', brokersUp: 2, brokers: 3, activeControllers: 1, underReplicated: 7, offlinePartitions: 0}],
  brokers: [
    {
      job: 'kafka',
      service: 'kafka-1',
      cluster: 'main',
      instance: '127.0.0.1:7071',
      up: true,
      underReplicated: 4,
      activeController: true,
      leaders: 12,
      messagesInRate: 600,
    },
    {
      job: 'kafka',
      service: 'kafka-2',
      cluster: 'main',
      instance: '127.0.0.1:7072',
      up: false,
      underReplicated: null,
      activeController: null,
      leaders: null,
      messagesInRate: null,
    },
    {
      job: 'kafka',
      service: 'kafka-3',
      cluster: 'main',
      instance: '127.0.0.1:7073',
      up: true,
      underReplicated: 3,
      activeController: false,
      leaders: 11,
      messagesInRate: 610,
    },
  ],
  workers: [
    {job: 'mkt-workers', service: 'mkt-filter', cluster: 'main', instance: '127.0.0.1:9464', up: true, cpu: 0.23, memoryBytes: 150 * 1024 * 1024},
    {job: 'mkt-workers', service: 'mkt-indexer', cluster: 'main', instance: '127.0.0.1:9465', up: false, cpu: null, memoryBytes: null},
  ],
  services: [{job: 'connect', service: 'connect', cluster: 'main', instance: '127.0.0.1:7075', up: true}],
  search: {qps: 12.5, p99Seconds: 0.0042, freshnessP99Seconds: 0.31, documents: 25_000},
  recommend: {rate: 3, p99Seconds: null, timeouts5m: 0},
  alerts: {
    source: 'alertmanager',
    url: 'http://am.test:9093',
    alerts: [
      {
        name: 'KafkaBrokerDown',
        severity: 'critical',
        service: 'kafka-2',
        cluster: 'main',
        since: new Date(Date.now() - 125_000).toISOString(),
        summary: 'Broker kafka-2 (main cluster) is down',
        description: null,
        state: 'active',
        labels: {alertname: 'KafkaBrokerDown'},
      },
      {
        name: 'KafkaUnderReplicatedPartitions',
        severity: 'warning',
        service: null,
        cluster: 'main',
        since: new Date(Date.now() - 60_000).toISOString(),
        summary: '7 under-replicated partitions on the main cluster',
        description: null,
        state: 'active',
        labels: {alertname: 'KafkaUnderReplicatedPartitions'},
      },
    ],
  },
}

/** The screen as a user reads it: no colours, one string per line. */
const screen = (frame: string | undefined) => stripVTControlCharacters(frame ?? '')
const line = (text: string, start: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(start)) ?? `(no line starting with ${start})`

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

afterEach(() => cleanup())

describe('mkt top (ink)', () => {
  it('shows the stages, a down broker as down and "–" for what Prometheus has no series of', async () => {
    const {lastFrame} = render(h(TopApp, {load: async () => snapshot, intervalMs: 60_000, url: snapshot.prometheusUrl, initial: snapshot}))
    const text = screen(lastFrame())
    expect(text).toContain('Overview')
    expect(text).toContain('http://prom.test:9090')
    expect(line(text, 'filter ')).toMatch(/^filter\s+410\s+398\s+1 234 rec\s+dlq 1\.5\/s$/)
    expect(line(text, 'filtered-products → mirror')).toMatch(/398\s+397\s+840 ms$/)
    expect(line(text, 'connect sink')).toMatch(/^connect sink\s+–\s+–\s+–$/)
    expect(line(text, 'shop → shop-products')).toMatch(/412\s+–\s+–$/)
    expect(line(text, 'kafka-1')).toMatch(/kafka-1\s+main\s+up\s+controller\s+4\s+12\s+600/)
    expect(line(text, 'kafka-2')).toMatch(/kafka-2\s+main\s+down\s+–\s+–\s+–\s+–/)
    expect(text).toContain('main: 2/3 up, 1 active controller(s), 7 under-replicated, 0 offline')
    expect(line(text, 'mkt-indexer')).toMatch(/mkt-indexer\s+127\.0\.0\.1:9465\s+down\s+–\s+–/)
    expect(line(text, 'mkt-filter')).toMatch(/up\s+23%\s+150 MiB/)
    expect(line(text, 'SEARCH')).toContain('12.5 q/s   p99 4.2 ms   freshness p99 310 ms   25 000 products')
    expect(line(text, 'RECOMMEND')).toContain('p99 –')
    expect(line(text, 'ALERTS')).toContain('2 firing (1 critical): KafkaBrokerDown, KafkaUnderReplicatedPartitions')
  })

  it('tab switches to the alerts, then the brokers, then back; q quits', async () => {
    let quit = false
    const {lastFrame, stdin} = render(
      h(TopApp, {load: async () => snapshot, intervalMs: 60_000, url: snapshot.prometheusUrl, initial: snapshot, onQuit: () => (quit = true)}),
    )
    await sleep(50) // ink attaches its stdin listener after the first render
    stdin.write('\t')
    await until(() => screen(lastFrame()).includes('FIRING ALERTS'), 'the alerts view')
    const alerts = screen(lastFrame())
    expect(alerts).toContain('FIRING ALERTS (2, from alertmanager http://am.test:9093)')
    expect(line(alerts, 'KafkaBrokerDown')).toMatch(/KafkaBrokerDown\s+critical\s+kafka-2 \/ main\s+for 2m\d\ds/)
    expect(alerts).toContain('Broker kafka-2 (main cluster) is down')
    expect(line(alerts, 'KafkaUnderReplicated')).toMatch(/warning\s+main\s+for 1m\d\ds/)
    expect(alerts).not.toContain('STAGE')

    stdin.write('\t')
    await until(() => screen(lastFrame()).includes('BROKER') && !screen(lastFrame()).includes('FIRING ALERTS'), 'the brokers view')
    expect(screen(lastFrame())).not.toContain('STAGE')
    stdin.write('\t')
    await until(() => screen(lastFrame()).includes('STAGE'), 'the overview again')

    expect(quit).toBe(false)
    stdin.write('q')
    await until(() => quit, 'q to quit')
  })

  it('refreshes, and keeps the last data under an error line while Prometheus does not answer', async () => {
    let calls = 0
    const load = async () => {
      calls++
      if (calls === 1) return snapshot
      throw new MktError('Prometheus does not answer at http://prom.test:9090 (connect ECONNREFUSED).', undefined, 'unreachable')
    }
    const {lastFrame} = render(h(TopApp, {load, intervalMs: 30, url: snapshot.prometheusUrl}))
    expect(screen(lastFrame())).toContain('Reading http://prom.test:9090')
    await until(() => screen(lastFrame()).includes('STAGE'), 'the first snapshot')
    await until(() => screen(lastFrame()).includes('does not answer'), 'the error line')
    const text = screen(lastFrame())
    expect(text).toMatch(
      /\d\d:\d\d:\d\d Prometheus does not answer at http:\/\/prom\.test:9090 \(connect ECONNREFUSED\)\.\s+Showing\s+the\s+data\s+of\s+\d\d:\d\d:\d\d\./,
    )
    expect(line(text, 'filter ')).toMatch(/^filter\s+410/)
    expect(calls).toBeGreaterThan(1)
  })

  it('prints one snapshot as plain lines off a terminal', () => {
    const text = snapshotLines(snapshot)
    expect(text).toContain(`Platform at ${at} from http://prom.test:9090`)
    expect(line(text, 'filter ')).toMatch(/^filter\s+410\s+398\s+1 234 rec\s+dlq 1\.5\/s$/)
    expect(line(text, 'kafka-2')).toMatch(/kafka-2\s+main\s+down\s+–/)
    expect(text).toContain('Alerts: 2 firing (alertmanager http://am.test:9093)')
    expect(line(text, 'KafkaBrokerDown')).toMatch(/critical\s+kafka-2 \/ main\s+2m\d\ds ago\s+Broker kafka-2 \(main cluster\) is down/)
  })
})
