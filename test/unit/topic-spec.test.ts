import {describe, expect, it} from 'vitest'

import {bundledSchema} from '../../src/schema/avro.js'
import {TOPIC_ROLES, TOPICS} from '../../src/topics/names.js'
import {desiredTopics, loadTopicSpec, parseTopicSpec} from '../../src/topics/spec.js'

describe('topic spec', () => {
  it('declares the DESIGN.md topics (and client-views) with their partition counts and compaction', () => {
    const spec = loadTopicSpec()
    const byName = Object.fromEntries(desiredTopics(spec, 3).map((t) => [t.name, t]))
    expect(Object.keys(byName).sort()).toEqual(
      [
        'banned-products',
        'category-stats',
        'client-recommendations',
        'client-searches',
        'filtered-events',
        'client-views',
        'filtered-products',
        'recommendations',
        'recommendations-results',
        'shop-products',
        'shop-products-dlq',
        'mirror-canary',
      ].sort(),
    )
    expect(byName['shop-products']!.partitions).toBe(6)
    expect(byName['filtered-products']!.partitions).toBe(6)
    for (const compacted of ['banned-products', 'recommendations', 'category-stats']) expect(byName[compacted]!.configs['cleanup.policy']).toBe('compact')
    expect(byName['shop-products']!.configs['cleanup.policy']).toBeUndefined()
    // Every data topic names an Avro value schema that exists and parses; the mirror's canary carries JSON probes.
    for (const topic of spec.topics.filter((t) => t.role !== 'mirrorCanary'))
      expect(bundledSchema(topic.valueSchema!).type.name, topic.name).toMatch(/^dev\.mkt\./)
    expect(spec.topics.find((t) => t.role === 'mirrorCanary')?.valueSchema).toBeUndefined()
  })

  it('resolves replication auto to min(3, brokers) and keeps explicit values', () => {
    const spec = parseTopicSpec('topics:\n  - {name: a, partitions: 1}\n  - {name: b, partitions: 1, replication: 2}\n', 'inline')
    expect(desiredTopics(spec, 1).map((t) => t.replication)).toEqual([1, 2])
    expect(desiredTopics(spec, 5).map((t) => t.replication)).toEqual([3, 2])
  })

  it('stringifies config values so they compare with what brokers report', () => {
    const spec = parseTopicSpec(
      'topics:\n  - name: a\n    partitions: 1\n    configs: {retention.ms: 1000, "unclean.leader.election.enable": false}\n',
      'inline',
    )
    expect(desiredTopics(spec, 1)[0]!.configs).toEqual({'retention.ms': '1000', 'unclean.leader.election.enable': 'false'})
  })

  it('names the file, the path and the topic of an invalid entry', () => {
    expect(() => parseTopicSpec('topics:\n  - {name: ok, partitions: 1}\n  - {name: bad, partitions: 0}\n', 'my.yaml')).toThrow(
      /my\.yaml is invalid at topics\.1\.partitions \(topic "bad"\)/,
    )
    expect(() => parseTopicSpec('topics:\n  - {name: "no spaces", partitions: 1}\n', 'x.yaml')).toThrow(/topics\.0\.name/)
    expect(() => parseTopicSpec('topics:\n  - {name: a, partitions: 1, replicas: 3}\n', 'x.yaml')).toThrow(/replicas/)
    expect(() => parseTopicSpec('topics: [\n', 'x.yaml')).toThrow(/not valid YAML/)
    expect(() => parseTopicSpec('topics:\n  - {name: a, partitions: 1}\n  - {name: a, partitions: 2}\n', 'x.yaml')).toThrow(/lists "a" twice/)
  })
})

describe('topic names in the code', () => {
  it('come from the roles of the shipped spec, one topic per role', () => {
    const spec = loadTopicSpec()
    for (const role of TOPIC_ROLES) expect(spec.topics.filter((t) => t.role === role).map((t) => t.name)).toEqual([TOPICS[role]])
    expect(TOPICS).toMatchObject({shopProducts: 'shop-products', bans: 'banned-products', catalog: 'filtered-products'})
  })
})
