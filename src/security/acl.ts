import type {Profile} from '../config/schema.js'
import {withAdmin} from '../kafka/client.js'
import {AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin} from '../kafka/kafkajs.js'
import {bindingKey, type AclBinding, type Operation, type ResourceKind} from './acl-spec.js'

const RESOURCE: Record<ResourceKind, number> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  transactionalId: AclResourceTypes.TRANSACTIONAL_ID,
}
const OPERATION: Record<Operation, number> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  describe: AclOperationTypes.DESCRIBE,
  describeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
  alterConfigs: AclOperationTypes.ALTER_CONFIGS,
}
const PATTERN = {literal: ResourcePatternTypes.LITERAL, prefixed: ResourcePatternTypes.PREFIXED} as const

function invert<K extends string>(table: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(table).map(([k, v]) => [v as number, k as K]))
}
const RESOURCE_NAME = invert(RESOURCE)
const OPERATION_NAME = invert(OPERATION)

/** An ACL on the cluster that the file's vocabulary cannot express (a DENY, a host, a cluster ACL): shown, and removed by apply. */
export interface ForeignAcl {
  description: string
  filter: Parameters<Admin['deleteAcls']>[0]['filters'][number]
}

export interface AclState {
  bindings: AclBinding[]
  foreign: ForeignAcl[]
}

/** Every ACL on the cluster, as bindings where the file could have written them. */
export async function readAcls(admin: Admin): Promise<AclState> {
  const response = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  })
  const bindings: AclBinding[] = []
  const foreign: ForeignAcl[] = []
  for (const r of response.resources) {
    for (const acl of r.acls) {
      const resource = RESOURCE_NAME.get(r.resourceType)
      const operation = OPERATION_NAME.get(acl.operation)
      const pattern =
        r.resourcePatternType === ResourcePatternTypes.PREFIXED ? 'prefixed' : r.resourcePatternType === ResourcePatternTypes.LITERAL ? 'literal' : undefined
      const user = acl.principal.startsWith('User:') ? acl.principal.slice(5) : undefined
      if (resource && operation && pattern && user && acl.host === '*' && acl.permissionType === AclPermissionTypes.ALLOW) {
        bindings.push({principal: user, resource, name: r.resourceName, pattern, operation})
      } else {
        foreign.push({
          description: `${acl.permissionType === AclPermissionTypes.DENY ? 'DENY' : 'ALLOW'} ${acl.principal}@${acl.host} operation ${acl.operation} on resource type ${r.resourceType} "${r.resourceName}"`,
          filter: {
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            resourcePatternType: r.resourcePatternType,
            principal: acl.principal,
            host: acl.host,
            operation: acl.operation,
            permissionType: acl.permissionType,
          },
        })
      }
    }
  }
  return {bindings, foreign}
}

export interface AclDiff {
  add: AclBinding[]
  remove: AclBinding[]
  /** ACLs the file cannot express; apply removes them too. */
  foreign: ForeignAcl[]
  unchanged: number
}

export function diffAcls(desired: AclBinding[], actual: AclState): AclDiff {
  const want = new Map(desired.map((b) => [bindingKey(b), b]))
  const have = new Map(actual.bindings.map((b) => [bindingKey(b), b]))
  return {
    add: [...want].filter(([k]) => !have.has(k)).map(([, b]) => b),
    remove: [...have].filter(([k]) => !want.has(k)).map(([, b]) => b),
    foreign: actual.foreign,
    unchanged: [...want.keys()].filter((k) => have.has(k)).length,
  }
}

function entry(b: AclBinding) {
  return {
    resourceType: RESOURCE[b.resource],
    resourceName: b.name,
    resourcePatternType: PATTERN[b.pattern],
    principal: `User:${b.principal}`,
    host: '*',
    operation: OPERATION[b.operation],
    permissionType: AclPermissionTypes.ALLOW,
  }
}

/** What the cluster holds against what the file says. */
export async function aclDiff(profile: Profile, desired: AclBinding[]): Promise<AclDiff> {
  return withAdmin(profile, async (admin) => diffAcls(desired, await readAcls(admin)), {role: 'acl'})
}

/** Makes the cluster's ACLs exactly the file's: adds what is missing, removes the rest. Idempotent. */
export async function applyAcls(profile: Profile, desired: AclBinding[]): Promise<AclDiff> {
  return withAdmin(
    profile,
    async (admin) => {
      const diff = diffAcls(desired, await readAcls(admin))
      if (diff.add.length > 0) await admin.createAcls({acl: diff.add.map(entry) as never})
      const filters = [...diff.remove.map(entry), ...diff.foreign.map((f) => f.filter)]
      if (filters.length > 0) await admin.deleteAcls({filters: filters as never})
      return diff
    },
    {role: 'acl'},
  )
}

export async function listAcls(profile: Profile): Promise<AclState> {
  return withAdmin(profile, readAcls, {role: 'acl'})
}

export function describeBinding(b: AclBinding): string {
  const what = b.pattern === 'prefixed' ? `${b.resource}s "${b.name}*"` : b.name === '*' ? `every ${b.resource}` : `${b.resource} "${b.name}"`
  return `${b.principal} ${b.operation} ${what}`
}
