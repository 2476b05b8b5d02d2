import {setTimeout as sleep} from 'node:timers/promises'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {retryRetriable, withAdmin} from '../kafka/client.js'
import {explainKafkaError} from '../kafka/errors.js'
import {requireTopics} from '../kafka/topics-visible.js'
import {ConfigResourceTypes, type Admin} from '../kafka/kafkajs.js'
import {describeAction, isInternalTopic, planTopics, type ExistingTopic, type TopicPlan} from './plan.js'
import {desiredTopics, loadTopicSpec} from './spec.js'

/** kafkajs' numeric ConfigSource for a per-topic override (DescribeConfigs v1+). */
const TOPIC_CONFIG_SOURCE = 1

export interface PartitionInfo {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
}

export interface TopicInfo extends ExistingTopic {
  internal: boolean
  underReplicated: number
  offline: number
  partitionDetails: PartitionInfo[]
}

async function topicOverrides(admin: Admin, names: string[]): Promise<Map<string, Record<string, string>>> {
  const result = new Map<string, Record<string, string>>()
  if (names.length === 0) return result
  const described = await retryRetriable(() =>
    admin.describeConfigs({includeSynonyms: false, resources: names.map((name) => ({type: ConfigResourceTypes.TOPIC, name}))}),
  )
  for (const resource of described.resources) {
    const overrides: Record<string, string> = {}
    for (const entry of resource.configEntries) {
      if ((entry as {configSource?: number}).configSource === TOPIC_CONFIG_SOURCE && entry.configValue !== null) overrides[entry.configName] = entry.configValue
    }
    result.set(resource.resourceName, overrides)
  }
  return result
}

/** Every topic on the cluster (or the named ones) with partitions, ISR and overrides. */
export async function readTopics(admin: Admin, names?: string[]): Promise<TopicInfo[]> {
  const all = names ?? (await admin.listTopics())
  if (all.length === 0) return []
  const {topics} = await retryRetriable(() => admin.fetchTopicMetadata({topics: all}))
  const overrides = await topicOverrides(
    admin,
    topics.map((t) => t.name),
  )
  return topics
    .map((t) => {
      const partitionDetails = t.partitions
        .map((p) => ({partition: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort()}))
        .sort((a, b) => a.partition - b.partition)
      return {
        name: t.name,
        partitions: partitionDetails.length,
        replication: partitionDetails[0]?.replicas.length ?? 0,
        configs: overrides.get(t.name) ?? {},
        internal: isInternalTopic(t.name),
        underReplicated: partitionDetails.filter((p) => p.isr.length < p.replicas.length).length,
        offline: partitionDetails.filter((p) => p.leader < 0).length,
        partitionDetails,
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

export interface ApplyResult {
  plan: TopicPlan
  applied: string[]
  dryRun: boolean
  brokers: number
}

export interface ApplyOptions {
  specFile?: string
  prune?: boolean
  dryRun?: boolean
}

/**
 * Waits until the new topics have a leader for every partition, as seen by
 * several brokers in a row: CreateTopics returns once the controller commits,
 * but each broker applies the change to its metadata a moment later, and a
 * request routed to a lagging broker would not see the topic yet.
 */
export async function waitForLeaders(admin: Admin, topics: string[], brokers: number, timeoutMs = 30_000): Promise<void> {
  if (topics.length === 0) return
  const deadline = Date.now() + timeoutMs
  const needed = brokers > 1 ? 3 * brokers : 1
  let streak = 0
  while (streak < needed) {
    try {
      const {topics: meta} = await admin.fetchTopicMetadata({topics})
      const ready = meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      streak = ready ? streak + 1 : 0
    } catch (error) {
      if (!(error as {retriable?: boolean}).retriable) throw error
      streak = 0
    }
    if (Date.now() > deadline)
      throw new MktError(
        `Topics ${topics.join(', ')} have partitions without a leader after ${timeoutMs / 1000}s.`,
        'Check `mkt infra status` and the broker logs.',
        'infra',
      )
    if (streak < needed) await sleep(100)
  }
}

async function execute(admin: Admin, plan: TopicPlan, brokers: number, profile: Profile): Promise<string[]> {
  const done: string[] = []
  const creates = plan.actions.flatMap((a) => (a.kind === 'create' ? [a.topic] : []))
  if (creates.length > 0) {
    await admin
      .createTopics({
        // kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION from a broker
        // that has not seen the new topic yet (multi-broker clusters); we wait below.
        waitForLeaders: false,
        topics: creates.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replication,
          configEntries: Object.entries(t.configs).map(([name, value]) => ({name, value})),
        })),
      })
      .catch((error: unknown) => {
        throw explainKafkaError(error, profile, {operation: 'create', action: `create topic ${creates.map((t) => `"${t.name}"`).join(', ')}`})
      })
  }
  await waitForLeaders(
    admin,
    creates.map((t) => t.name),
    brokers,
  )
  for (const action of plan.actions) {
    if (action.kind === 'add-partitions') await admin.createPartitions({topicPartitions: [{topic: action.name, count: action.to}]})
    if (action.kind === 'alter-configs') {
      // AlterConfigs replaces every override of the topic, so send the full set.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {type: ConfigResourceTypes.TOPIC, name: action.name, configEntries: Object.entries(action.configs).map(([name, value]) => ({name, value}))},
        ],
      })
    }
    if (action.kind === 'delete') await admin.deleteTopics({topics: [action.name]})
    done.push(describeAction(action))
  }
  return done
}

/** Makes the cluster match the spec, idempotently. */
export async function applyTopicSpec(profile: Profile, options: ApplyOptions = {}): Promise<ApplyResult> {
  const spec = loadTopicSpec(options.specFile)
  return withAdmin(
    profile,
    async (admin) => {
      const {brokers} = await admin.describeCluster()
      const existing = await readTopics(admin)
      const plan = planTopics(desiredTopics(spec, brokers.length), existing, {brokers: brokers.length, prune: options.prune ?? false})
      const applied = options.dryRun ? [] : await execute(admin, plan, brokers.length, profile)
      return {plan, applied, dryRun: Boolean(options.dryRun), brokers: brokers.length}
    },
    {access: {operation: 'create', action: 'apply the topic spec'}},
  )
}

export interface TopicListing extends TopicInfo {
  inSpec: boolean
  description?: string
}

export async function listTopics(profile: Profile, options: {includeInternal?: boolean; names?: string[]; specFile?: string} = {}): Promise<TopicListing[]> {
  const spec = loadTopicSpec(options.specFile)
  const described = new Map(spec.topics.map((t) => [t.name, t.description]))
  const topics = await withAdmin(profile, async (admin) => {
    if (options.names)
      await requireTopics(
        admin,
        profile,
        options.names,
        'describe',
        "Run `mkt topics list` to see what exists, or `mkt topics apply` to create the spec's topics.",
      )
    return readTopics(admin, options.names)
  })
  return topics
    .filter((t) => options.includeInternal || options.names || !t.internal)
    .map((t) => ({...t, inSpec: described.has(t.name), ...(described.get(t.name) ? {description: described.get(t.name)} : {})}))
}
