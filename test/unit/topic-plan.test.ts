import {describe, expect, it} from 'vitest'

import {describeAction, planTopics, type ExistingTopic} from '../../src/topics/plan.js'
import type {DesiredTopic} from '../../src/topics/spec.js'

const want = (name: string, partitions: number, configs: Record<string, string> = {}, replication = 1): DesiredTopic => ({
  name,
  partitions,
  replication,
  configs,
})
const have = (name: string, partitions: number, configs: Record<string, string> = {}, replication = 1): ExistingTopic => ({
  name,
  partitions,
  replication,
  configs,
})

describe('topic drift planning', () => {
  it('creates what is missing and leaves what matches alone', () => {
    const plan = planTopics([want('a', 3), want('b', 6, {'cleanup.policy': 'compact'})], [have('a', 3)], {brokers: 1})
    expect(plan.actions).toEqual([{kind: 'create', topic: want('b', 6, {'cleanup.policy': 'compact'})}])
    expect(plan.unchanged).toEqual(['a'])
    expect(plan.drift).toEqual([])
  })

  it('grows partitions but only reports a shrink', () => {
    const plan = planTopics([want('grow', 6), want('shrink', 3)], [have('grow', 3), have('shrink', 8)], {brokers: 1})
    expect(plan.actions).toEqual([{kind: 'add-partitions', name: 'grow', from: 3, to: 6}])
    expect(plan.drift).toEqual([{name: 'shrink', message: expect.stringMatching(/has 8 partitions but the spec says 3/)}])
  })

  it('updates changed configs and keeps unknown overrides, reporting them', () => {
    const plan = planTopics(
      [want('t', 3, {'retention.ms': '1000', 'cleanup.policy': 'compact'})],
      [have('t', 3, {'retention.ms': '5', 'segment.bytes': '1048576'})],
      {brokers: 1},
    )
    expect(plan.actions).toEqual([
      {
        kind: 'alter-configs',
        name: 't',
        changes: [
          {key: 'retention.ms', from: '5', to: '1000'},
          {key: 'cleanup.policy', to: 'compact'},
        ],
        configs: {'retention.ms': '1000', 'cleanup.policy': 'compact', 'segment.bytes': '1048576'},
      },
    ])
    expect(plan.drift.map((d) => d.message)).toEqual([expect.stringContaining('segment.bytes=1048576 which the spec does not set')])
    expect(describeAction(plan.actions[0]!)).toBe('set retention.ms=1000 (was 5), cleanup.policy=compact on t')
  })

  it('reports a replication difference it will not fix', () => {
    const plan = planTopics([want('t', 3, {}, 3)], [have('t', 3, {}, 1)], {brokers: 3})
    expect(plan.actions).toEqual([])
    expect(plan.drift[0]!.message).toMatch(/replication 1 but the spec says 3/)
  })

  it('never deletes without prune, never touches internal topics', () => {
    const existing = [have('a', 1), have('stray', 1), have('__consumer_offsets', 50), have('_schemas', 1)]
    const keep = planTopics([want('a', 1)], existing, {brokers: 1})
    expect(keep.actions).toEqual([])
    expect(keep.unmanaged).toEqual(['stray'])
    const prune = planTopics([want('a', 1)], existing, {brokers: 1, prune: true})
    expect(prune.actions).toEqual([{kind: 'delete', name: 'stray'}])
  })

  it('refuses a replication factor larger than the cluster', () => {
    expect(() => planTopics([want('t', 3, {}, 3)], [], {brokers: 1})).toThrow(/asks for replication 3, but the cluster has 1 broker/)
  })
})
