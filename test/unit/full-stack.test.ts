import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {parseConnectorSpec, loadConnectorSpecs} from '../../src/connect/spec.js'
import {buildServiceGraph, DEFAULT_LAYOUT, startOrder, type RuntimeLayout} from '../../src/infra/graph.js'
import {serverProperties} from '../../src/infra/kafka-node.js'
import {planLayout} from '../../src/infra/local-runtime.js'
import {loadMirrorFlow} from '../../src/mirror/flow.js'
import {TOPICS} from '../../src/topics/names.js'
import {monitoringBinary, runtimeTargets} from '../../src/infra/monitoring-node.js'
import type {MktError} from '../../src/errors.js'
import {prometheusTargetsDir, registerWorkerTarget} from '../../src/metrics/targets.js'
import {composePath} from '../../src/package-root.js'

/** Prometheus's file_sd patterns: * within a path segment. */
const globRegExp = (pattern: string) => new RegExp(`^${pattern.replaceAll('.', '\\.').replaceAll('*', '[^/]*')}$`)

const full: RuntimeLayout = {...DEFAULT_LAYOUT, brokers: 3, stack: 'full', stateDir: '/s', security: 'plaintext'}

describe('the full stack', () => {
  it('runs the analytics cluster as its own one-node KRaft cluster, MirrorMaker 2 after both clusters and Connect after the registry, monitoring first', () => {
    const graph = buildServiceGraph(full)
    expect(graph.map((n) => n.name)).toEqual([
      'alertmanager',
      'prometheus',
      'kafka-1',
      'kafka-2',
      'kafka-3',
      'analytics-1',
      'registry',
      'mirror',
      'connect',
      'hdfs-namenode',
      'hdfs-datanode',
      'spark-master',
      'spark-worker',
    ])
    expect(startOrder(graph).map((w) => w.map((n) => n.name))).toEqual([
      ['alertmanager'],
      ['prometheus'],
      ['kafka-1', 'kafka-2', 'kafka-3', 'analytics-1', 'hdfs-namenode', 'spark-master'],
      ['registry', 'mirror', 'hdfs-datanode', 'spark-worker'],
      ['connect'],
    ])
    const analytics = graph.find((n) => n.name === 'analytics-1')!
    const props = serverProperties(full, analytics, 0)
    expect(props['controller.quorum.voters']).toBe(`1@127.0.0.1:${full.analyticsPort + 1}`)
    expect(props['default.replication.factor']).toBe(1)
    expect(
      serverProperties(
        full,
        graph.find((n) => n.name === 'kafka-2')!,
        1,
      )['min.insync.replicas'],
    ).toBe(2)
  })

  it('gives Prometheus every exporter of the stack, labelled with its cluster and service, in the files prometheus.yml discovers', () => {
    const targets = runtimeTargets(full, buildServiceGraph(full))
    const config = YAML.parse(fs.readFileSync(composePath('prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{job_name: string; file_sd_configs: Array<{files: string[]}>}>
    }
    const discovered = config.scrape_configs.flatMap((job) => job.file_sd_configs.flatMap((sd) => sd.files))
    for (const file of Object.keys(targets))
      expect(
        discovered.some((pattern) => globRegExp(pattern).test(`targets/${file}`)),
        file,
      ).toBe(true)
    const at = (port: number) => `127.0.0.1:${port}`
    expect(targets['kafka-main.json']).toEqual(
      [1, 2, 3].map((n) => ({targets: [at(full.metricsPort + n - 1)], labels: {cluster: 'main', service: `kafka-${n}`}})),
    )
    expect(targets['kafka-analytics.json']).toEqual([{targets: [at(full.metricsPort + 3)], labels: {cluster: 'analytics', service: 'analytics-1'}}])
    expect(targets['connect.json']![0]!.targets).toEqual([at(full.metricsPort + 4)])
    expect(targets['mirror.json']![0]!.targets).toEqual([at(full.metricsPort + 5)])
    expect(targets['prometheus.json']![0]!.targets).toEqual([at(full.prometheusPort)])
    expect(targets['alertmanager.json']![0]!.targets).toEqual([at(full.alertmanagerPort)])
  })

  it("finds Debian's Prometheus and Alertmanager on PATH, and names the packages to install when they are missing", () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-bin-'))
    try {
      fs.writeFileSync(path.join(bin, 'prometheus-alertmanager'), '#!/bin/sh\n', {mode: 0o755})
      expect(monitoringBinary('alertmanager', {PATH: bin})).toBe(path.join(bin, 'prometheus-alertmanager'))
      expect(() => monitoringBinary('prometheus', {PATH: bin})).toThrow(/^The full stack runs Prometheus, but no prometheus binary is on PATH\.$/)
      try {
        monitoringBinary('prometheus', {PATH: bin})
      } catch (error) {
        expect((error as MktError).suggestion).toContain('sudo apt-get install -y prometheus prometheus-alertmanager')
      }
    } finally {
      fs.rmSync(bin, {recursive: true, force: true})
    }
  })

  it('lists a worker with Prometheus while it runs, when the runtime has a Prometheus', () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-targets-'))
    try {
      expect(registerWorkerTarget({stateDir, service: 'mkt-filter'}, '127.0.0.1', 9401)).toBeTypeOf('function')
      expect(fs.existsSync(prometheusTargetsDir(stateDir)), 'no Prometheus: nothing written').toBe(false)
      fs.mkdirSync(prometheusTargetsDir(stateDir), {recursive: true})
      const unregister = registerWorkerTarget({stateDir, service: 'mkt-filter'}, '127.0.0.1', 9401)
      const file = path.join(prometheusTargetsDir(stateDir), 'workers', 'mkt-filter-9401.json')
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual([{targets: ['127.0.0.1:9401'], labels: {cluster: 'main', service: 'mkt-filter'}}])
      unregister()
      expect(fs.existsSync(file)).toBe(false)
    } finally {
      fs.rmSync(stateDir, {recursive: true, force: true})
    }
  })

  it('starts new full stacks with 3 brokers, secure only, and never shrinks one back to core', () => {
    expect(planLayout('/s', undefined, {stack: 'full'}, false).brokers).toBe(3)
    expect(planLayout('/s', undefined, {stack: 'full', brokers: 1}, false).brokers).toBe(1)
    expect(() => planLayout('/s', undefined, {stack: 'full', security: 'plaintext'}, false)).toThrow(/secure only/)
    const saved = {...full, security: 'sasl_ssl' as const}
    expect(() => planLayout('/s', saved, {stack: 'core'}, false)).toThrow(/cannot go back to core/)
    expect(planLayout('/s', saved, {}, false).stack).toBe('full')
    expect(planLayout('/s', {...saved, stack: 'core'}, {stack: 'full'}, false).stack).toBe('full')
  })

  it('mirrors the catalogue, the ban list, the audit trail, every client event and the canary as main.<topic>', () => {
    const flow = loadMirrorFlow()
    expect(flow).toMatchObject({source: 'main', target: 'analytics', offsetsTopic: 'mm2-offsets.main.internal'})
    expect(flow.topics).toEqual(
      expect.arrayContaining([
        TOPICS.catalog,
        TOPICS.filterEvents,
        TOPICS.bans,
        TOPICS.searches,
        TOPICS.views,
        TOPICS.recommendationRequests,
        TOPICS.mirrorCanary,
      ]),
    )
    expect(flow.remoteName(TOPICS.catalog)).toBe(`main.${TOPICS.catalog}`)
  })

  it('ships connector files Connect accepts and refuses malformed ones with the file and the key', () => {
    const [sink] = loadConnectorSpecs()
    expect(sink).toMatchObject({name: 'catalog-file-sink', config: {topics: TOPICS.catalog, 'errors.tolerance': 'none'}})
    expect(sink!.config.file).toBe('${env:MKT_SINK_DIR}/filtered-products.jsonl')
    expect(() => parseConnectorSpec('{"name": "x", "config": {"tasks.max": 1, "connector.class": "C"}}', 'x.json')).toThrow(
      /x\.json sets "tasks\.max" to a number/,
    )
    expect(() => parseConnectorSpec('{"config": {}}', 'y.json')).toThrow(/y\.json needs a "name"/)
    expect(() => parseConnectorSpec('{"name": "z", "config": {"topics": "t"}}', 'z.json')).toThrow(/no "connector\.class"/)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-connectors-'))
    fs.writeFileSync(path.join(dir, 'bad.json'), '{')
    expect(() => loadConnectorSpecs(dir)).toThrow(/bad\.json is not valid JSON/)
    fs.rmSync(dir, {recursive: true})
  })
})
