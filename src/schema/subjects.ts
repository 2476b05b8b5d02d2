import type avro from 'avsc'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {loadTopicSpec} from '../topics/spec.js'
import {bundledSchema} from './avro.js'
import {registryRequest} from './registry.js'

/** TopicNameStrategy, as every Confluent serializer uses it. */
export function valueSubject(topic: string): string {
  return `${topic}-value`
}

const enc = encodeURIComponent

/** Registers (or finds) a schema under a subject; an incompatible change is a clear error. */
export async function registerSchema(profile: Profile, subject: string, schemaText: string): Promise<number> {
  try {
    const {id} = await registryRequest<{id: number}>(profile, 'POST', `/subjects/${enc(subject)}/versions`, {schema: schemaText, schemaType: 'AVRO'})
    return id
  } catch (error) {
    if (error instanceof MktError && /\b409\b/.test(error.message)) {
      throw new MktError(
        `The schema registry refused the new schema for "${subject}": it is not compatible with the registered versions (${error.message.replace(/^.*?409: /, '')}).`,
        'Make the change backward compatible (add fields with defaults, do not remove or retype fields), or register under a new subject. `mkt schema check FILE` tells before you ship.',
        'incompatible',
        {cause: error},
      )
    }
    throw error
  }
}

export interface TopicSchema {
  topic: string
  subject: string
  id: number
  type: avro.Type
}

const registered = new Map<string, Promise<TopicSchema>>()

/** The value schema the topic spec names for a topic, registered once per process and registry. */
export function topicValueSchema(profile: Profile, topic: string, schemaTopic = topic): Promise<TopicSchema> {
  const cacheKey = `${profile.schemaRegistry.url}|${topic}|${schemaTopic}`
  let pending = registered.get(cacheKey)
  if (!pending) {
    pending = (async () => {
      const entry = loadTopicSpec().topics.find((t) => t.name === schemaTopic)
      if (!entry?.valueSchema)
        throw new MktError(`The topic spec names no value schema for "${schemaTopic}".`, 'Add valueSchema to its entry in compose/topics.yaml.', 'config')
      const schema = bundledSchema(entry.valueSchema)
      const subject = valueSubject(topic)
      return {topic, subject, id: await registerSchema(profile, subject, schema.text), type: schema.type}
    })()
    pending.catch(() => registered.delete(cacheKey))
    registered.set(cacheKey, pending)
  }
  return pending
}

export interface SubjectSummary {
  subject: string
  versions: number[]
  latestId: number
}

export async function listSubjects(profile: Profile): Promise<SubjectSummary[]> {
  const subjects = await registryRequest<string[]>(profile, 'GET', '/subjects')
  return Promise.all(
    [...subjects].sort().map(async (subject) => {
      const versions = await registryRequest<number[]>(profile, 'GET', `/subjects/${enc(subject)}/versions`)
      const latest = await registryRequest<{id: number}>(profile, 'GET', `/subjects/${enc(subject)}/versions/latest`)
      return {subject, versions, latestId: latest.id}
    }),
  )
}

export interface SubjectVersion {
  subject: string
  version: number
  id: number
  schema: unknown
}

export async function showSubject(profile: Profile, subject: string, version: string = 'latest'): Promise<SubjectVersion> {
  try {
    const found = await registryRequest<{subject: string; version: number; id: number; schema: string}>(
      profile,
      'GET',
      `/subjects/${enc(subject)}/versions/${enc(version)}`,
    )
    return {subject: found.subject ?? subject, version: found.version, id: found.id, schema: JSON.parse(found.schema)}
  } catch (error) {
    if (error instanceof MktError && error.code === 'notFound') {
      throw new MktError(
        `The registry has no version "${version}" of subject "${subject}".`,
        'Run `mkt schema list` to see subjects and versions.',
        'notFound',
        {cause: error},
      )
    }
    throw error
  }
}

export interface CompatibilityResult {
  subject: string
  compatible: boolean
  /** True when the subject does not exist yet: anything can be its first version. */
  newSubject: boolean
  messages: string[]
}

/** Asks the registry whether a schema could be registered under the subject, without registering it. */
export async function checkCompatibility(profile: Profile, subject: string, schemaText: string): Promise<CompatibilityResult> {
  const existing = await registryRequest<string[]>(profile, 'GET', '/subjects')
  if (!existing.includes(subject)) return {subject, compatible: true, newSubject: true, messages: []}
  const answer = await registryRequest<{is_compatible: boolean; messages?: string[]}>(
    profile,
    'POST',
    `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`,
    {
      schema: schemaText,
      schemaType: 'AVRO',
    },
  )
  return {subject, compatible: answer.is_compatible, newSubject: false, messages: answer.messages ?? []}
}

/** The subjects a schema file serves, from the topic spec (e.g. product-card.avsc → shop-products-value, filtered-products-value). */
export function subjectsForSchemaFile(fileName: string): string[] {
  return loadTopicSpec()
    .topics.filter((t) => t.valueSchema === fileName)
    .map((t) => valueSubject(t.name))
}
