import fs from 'node:fs'

import YAML from 'yaml'
import {z} from 'zod'

import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'
import {loadTopicSpec} from '../topics/spec.js'
import {checkUserName} from './principals.js'

const names = z.array(z.string().min(1)).default([])
const grantsSchema = {
  topics: z.strictObject({read: names, write: names, create: names, describe: names, describeConfigs: names, alterConfigs: names}).partial().optional(),
  groups: z.strictObject({read: names, describe: names}).partial().optional(),
  transactionalIds: z.strictObject({write: names, describe: names}).partial().optional(),
}
const principalSchema = z.strictObject({
  description: z.string().optional(),
  ...grantsSchema,
  /** The same grants on the analytics cluster (full stack). */
  analytics: z.strictObject(grantsSchema).optional(),
})
const aclFileSchema = z.strictObject({
  /** Topics services create and own themselves (Connect's and MirrorMaker's internal topics): not in the topic spec, still grantable by name. */
  internalTopics: names.optional(),
  principals: z.record(z.string(), principalSchema),
})

/** The cluster an ACL file's grants are for: the platform's, or the analytics copy (whose mirrored topics are main.<topic>). */
export type AclCluster = 'main' | 'analytics'
/** How MirrorMaker 2 names a mirrored topic on the analytics cluster (DefaultReplicationPolicy, source alias "main"). */
export const MIRRORED_PREFIX = 'main.'

export type AclFile = z.infer<typeof aclFileSchema>
export type ResourceKind = 'topic' | 'group' | 'transactionalId'
export type Operation = 'read' | 'write' | 'create' | 'describe' | 'describeConfigs' | 'alterConfigs'

/** One ALLOW rule, the unit `acl diff` and `acl apply` compare. */
export interface AclBinding {
  principal: string
  resource: ResourceKind
  /** The name, or the prefix for a prefixed pattern. */
  name: string
  pattern: 'literal' | 'prefixed'
  operation: Operation
}

export function defaultAclPath(): string {
  return composePath('acls.yaml')
}

export function bindingKey(b: AclBinding): string {
  return `${b.principal}|${b.resource}|${b.pattern}|${b.name}|${b.operation}`
}

/** "name" is literal; "prefix*" is prefixed; "*" alone is Kafka's literal wildcard (every resource). */
function pattern(name: string): Pick<AclBinding, 'name' | 'pattern'> {
  if (name !== '*' && name.endsWith('*')) return {name: name.slice(0, -1), pattern: 'prefixed'}
  return {name, pattern: 'literal'}
}

/**
 * Reads the ACL file and turns it into bindings. Every literal topic must be
 * in the topic spec (a typo would silently grant nothing).
 */
export function parseAclFile(text: string, origin: string, topics: string[], cluster: AclCluster = 'main'): AclBinding[] {
  let raw: unknown
  try {
    raw = YAML.parse(text)
  } catch (error) {
    throw new MktError(`The ACL file ${origin} is not valid YAML: ${(error as Error).message}`, 'Fix the YAML syntax at the line shown.', 'config')
  }
  const parsed = aclFileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new MktError(
      `The ACL file ${origin} is invalid at ${issue.path.join('.') || 'top level'}: ${issue.message}.`,
      'See the comment at the top of compose/acls.yaml for the format.',
      'config',
    )
  }
  const internal = parsed.data.internalTopics ?? []
  const known = new Set([...(cluster === 'analytics' ? topics.map((t) => `${MIRRORED_PREFIX}${t}`) : topics), ...internal])
  const bindings: AclBinding[] = []
  for (const [principal, all] of Object.entries(parsed.data.principals)) {
    const rules = cluster === 'analytics' ? (all.analytics ?? {}) : all
    const problem = checkUserName(principal)
    if (problem) throw new MktError(`The ACL file ${origin} names a principal ${problem}.`, 'Principals are SCRAM user names such as shop or filter.', 'config')
    const sections: Array<[ResourceKind, Partial<Record<Operation, string[]>> | undefined]> = [
      ['topic', rules.topics],
      ['group', rules.groups],
      ['transactionalId', rules.transactionalIds],
    ]
    for (const [resource, ops] of sections) {
      for (const [operation, list] of Object.entries(ops ?? {}) as Array<[Operation, string[]]>) {
        for (const entry of list) {
          const p = pattern(entry)
          if (resource === 'topic' && p.pattern === 'literal' && p.name !== '*' && !known.has(p.name)) {
            throw new MktError(
              `The ACL file ${origin} grants ${principal} ${operation} on topic "${entry}"${cluster === 'analytics' ? ' of the analytics cluster' : ''}, which is not in the topic spec${internal.length > 0 ? ' nor in internalTopics' : ''}.`,
              `Known topics${cluster === 'analytics' ? ' there' : ''}: ${[...known].join(', ')}.`,
              'config',
            )
          }
          bindings.push({principal, resource, ...p, operation})
        }
      }
    }
  }
  return bindings
}

export function loadAclFile(file: string, topics: string[], cluster: AclCluster = 'main'): AclBinding[] {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new MktError(`Cannot read the ACL file ${file}: ${(error as Error).message}.`, 'Pass --file with the path of an ACL file.', 'notFound')
  }
  return parseAclFile(text, file, topics, cluster)
}

/** The principals the file describes, with their descriptions (for `acl list`). */
export function aclPrincipals(text: string): Record<string, string | undefined> {
  const parsed = aclFileSchema.safeParse(YAML.parse(text))
  return parsed.success ? Object.fromEntries(Object.entries(parsed.data.principals).map(([p, r]) => [p, r.description])) : {}
}

/** The bindings of an ACL file (default compose/acls.yaml), checked against a topic spec (default compose/topics.yaml). */
export function desiredAcls(options: {file?: string; specFile?: string; cluster?: AclCluster} = {}): AclBinding[] {
  return loadAclFile(
    options.file ?? defaultAclPath(),
    loadTopicSpec(options.specFile).topics.map((t) => t.name),
    options.cluster,
  )
}
