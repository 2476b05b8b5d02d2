import {MktError} from '../errors.js'
import type {DesiredTopic} from './spec.js'

/** A topic as found on the cluster; configs holds only topic-level overrides. */
export interface ExistingTopic {
  name: string
  partitions: number
  replication: number
  configs: Record<string, string>
}

export type TopicAction =
  | {kind: 'create'; topic: DesiredTopic}
  | {kind: 'add-partitions'; name: string; from: number; to: number}
  /** `configs` is the full override set to write: spec values plus overrides kept as they are. */
  | {kind: 'alter-configs'; name: string; changes: Array<{key: string; from?: string; to: string}>; configs: Record<string, string>}
  | {kind: 'delete'; name: string}

export interface TopicPlan {
  actions: TopicAction[]
  /** Differences apply will not fix, one sentence each. */
  drift: Array<{name: string; message: string}>
  unchanged: string[]
  /** Topics on the cluster that the spec does not name (internal ones excluded). */
  unmanaged: string[]
}

/** Kafka's and tools' own topics start with "_" (e.g. __consumer_offsets, _schemas) and are never managed. */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('_')
}

/** Compares spec and cluster; pure, so every drift case is unit-tested. */
export function planTopics(desired: DesiredTopic[], existing: ExistingTopic[], options: {brokers: number; prune?: boolean}): TopicPlan {
  const plan: TopicPlan = {actions: [], drift: [], unchanged: [], unmanaged: []}
  const byName = new Map(existing.map((t) => [t.name, t]))

  for (const want of desired) {
    if (want.replication > options.brokers) {
      throw new MktError(
        `Topic "${want.name}" asks for replication ${want.replication}, but the cluster has ${options.brokers} broker(s).`,
        'Lower its replication in the spec (or use "auto"), or start more brokers (`mkt infra up --brokers 3`).',
        'config',
      )
    }
    const have = byName.get(want.name)
    if (!have) {
      plan.actions.push({kind: 'create', topic: want})
      continue
    }
    let changed = false
    if (want.partitions > have.partitions) {
      plan.actions.push({kind: 'add-partitions', name: want.name, from: have.partitions, to: want.partitions})
      changed = true
    } else if (want.partitions < have.partitions) {
      plan.drift.push({
        name: want.name,
        message: `has ${have.partitions} partitions but the spec says ${want.partitions}; Kafka cannot remove partitions (recreate the topic to shrink it)`,
      })
    }
    if (want.replication !== have.replication) {
      plan.drift.push({
        name: want.name,
        message: `has replication ${have.replication} but the spec says ${want.replication}; change it with a partition reassignment (kafka-reassign-partitions)`,
      })
    }
    const changes = Object.entries(want.configs)
      .filter(([key, value]) => have.configs[key] !== value)
      .map(([key, to]) => ({key, to, ...(have.configs[key] === undefined ? {} : {from: have.configs[key]})}))
    const extra = Object.keys(have.configs).filter((key) => !(key in want.configs))
    for (const key of extra) plan.drift.push({name: want.name, message: `has ${key}=${have.configs[key]} which the spec does not set (kept as is)`})
    if (changes.length > 0) {
      plan.actions.push({kind: 'alter-configs', name: want.name, changes, configs: {...have.configs, ...want.configs}})
      changed = true
    }
    if (!changed) plan.unchanged.push(want.name)
  }

  const wanted = new Set(desired.map((t) => t.name))
  for (const have of existing) {
    if (wanted.has(have.name) || isInternalTopic(have.name)) continue
    if (options.prune) plan.actions.push({kind: 'delete', name: have.name})
    else plan.unmanaged.push(have.name)
  }
  return plan
}

export function describeAction(action: TopicAction): string {
  switch (action.kind) {
    case 'create':
      return `create ${action.topic.name} (${action.topic.partitions} partitions, replication ${action.topic.replication}${
        Object.keys(action.topic.configs).length > 0
          ? `, ${Object.entries(action.topic.configs)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}`
          : ''
      })`
    case 'add-partitions':
      return `grow ${action.name} from ${action.from} to ${action.to} partitions`
    case 'alter-configs':
      return `set ${action.changes.map((c) => `${c.key}=${c.to}${c.from === undefined ? '' : ` (was ${c.from})`}`).join(', ')} on ${action.name}`
    case 'delete':
      return `delete ${action.name} (not in the spec; --prune)`
  }
}
