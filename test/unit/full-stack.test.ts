import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseConnectorSpec, loadConnectorSpecs} from '../../src/connect/spec.js'
import {buildServiceGraph, DEFAULT_LAYOUT, startOrder, type RuntimeLayout} from '../../src/infra/graph.js'
import {serverProperties} from '../../src/infra/kafka-node.js'
import {planLayout} from '../../src/infra/local-runtime.js'
import {loadMirrorFlow} from '../../src/mirror/flow.js'
import {TOPICS} from '../../src/topics/names.js'

const full: RuntimeLayout = {...DEFAULT_LAYOUT, brokers: 3, stack: 'full', stateDir: '/s', security: 'plaintext'}

describe('the full stack', () => {
  it('runs the analytics cluster as its own one-node KRaft cluster, MirrorMaker 2 after both clusters and Connect after the registry', () => {
    const graph = buildServiceGraph(full)
    expect(graph.map((n) => n.name)).toEqual(['kafka-1', 'kafka-2', 'kafka-3', 'analytics-1', 'registry', 'mirror', 'connect'])
    expect(startOrder(graph).map((w) => w.map((n) => n.name))).toEqual([['kafka-1', 'kafka-2', 'kafka-3', 'analytics-1'], ['registry', 'mirror'], ['connect']])
    const analytics = graph.find((n) => n.name === 'analytics-1')!
    const props = serverProperties(full, analytics, 0)
    expect(props['controller.quorum.voters']).toBe(`1@127.0.0.1:${full.analyticsPort + 1}`)
    expect(props['default.replication.factor']).toBe(1)
    expect(serverProperties(full, graph[1]!, 1)['min.insync.replicas']).toBe(2)
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
