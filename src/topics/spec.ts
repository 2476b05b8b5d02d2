import fs from 'node:fs'

import YAML from 'yaml'
import {z} from 'zod'

import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'

const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'topic names use letters, digits, ".", "_" and "-" (at most 249)')
const configValue = z.union([z.string(), z.number(), z.boolean()]).transform(String)

const topicSchema = z.strictObject({
  name: topicName,
  /** How the code refers to a platform topic (src/topics/names.ts). */
  role: z
    .string()
    .regex(/^[a-z][A-Za-z]*$/, 'a camelCase identifier, e.g. shopProducts')
    .optional(),
  partitions: z.int().min(1).max(10_000),
  replication: z.union([z.literal('auto'), z.int().min(1).max(32)]).optional(),
  compacted: z.boolean().default(false),
  description: z.string().optional(),
  valueSchema: z
    .string()
    .regex(/^[\w.-]+\.avsc$/, 'a file name under compose/schemas, e.g. product-card.avsc')
    .optional(),
  configs: z.record(z.string(), configValue).default({}),
})

const specSchema = z.strictObject({
  defaults: z.strictObject({replication: z.union([z.literal('auto'), z.int().min(1).max(32)]).default('auto')}).default({replication: 'auto'}),
  topics: z.array(topicSchema).min(1),
})

export type TopicSpecEntry = z.infer<typeof topicSchema>
export type TopicSpec = z.infer<typeof specSchema>

/** A topic as it should exist on a cluster of a given size. */
export interface DesiredTopic {
  name: string
  partitions: number
  replication: number
  configs: Record<string, string>
  description?: string
}

export function defaultSpecPath(): string {
  return composePath('topics.yaml')
}

export function parseTopicSpec(text: string, origin: string): TopicSpec {
  let raw: unknown
  try {
    raw = YAML.parse(text)
  } catch (error) {
    throw new MktError(`The topic spec ${origin} is not valid YAML: ${(error as Error).message}`, 'Fix the YAML syntax at the line shown.', 'config')
  }
  const parsed = specSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const [first, index] = issue.path
    const topic = first === 'topics' && typeof index === 'number' ? (raw as {topics: Array<{name?: string}>}).topics[index]?.name : undefined
    const where = `${issue.path.join('.')}${topic ? ` (topic "${topic}")` : ''}`
    throw new MktError(
      `The topic spec ${origin} is invalid at ${where || 'top level'}: ${issue.message}.`,
      'Fix that entry; see compose/topics.yaml for the format.',
      'config',
    )
  }
  const seen = new Set<string>()
  for (const topic of parsed.data.topics) {
    if (seen.has(topic.name)) throw new MktError(`The topic spec ${origin} lists "${topic.name}" twice.`, 'Keep one entry per topic.', 'config')
    seen.add(topic.name)
  }
  return parsed.data
}

export function loadTopicSpec(file = defaultSpecPath()): TopicSpec {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new MktError(`Cannot read the topic spec ${file}: ${(error as Error).message}.`, 'Pass --spec with the path of a topic spec file.', 'notFound')
  }
  return parseTopicSpec(text, file)
}

/** Resolves replication (auto = min(3, brokers)) and compaction into plain configs. */
export function desiredTopics(spec: TopicSpec, brokers: number): DesiredTopic[] {
  return spec.topics.map((t) => {
    const replication = t.replication ?? spec.defaults.replication
    const configs = {...t.configs}
    if (t.compacted) configs['cleanup.policy'] = 'compact'
    return {
      name: t.name,
      partitions: t.partitions,
      replication: replication === 'auto' ? Math.min(3, brokers) : replication,
      configs,
      ...(t.description ? {description: t.description} : {}),
    }
  })
}
