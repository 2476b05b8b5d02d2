import fs from 'node:fs'

import {describe, expect, it} from 'vitest'

import {diffAcls} from '../../src/security/acl.js'
import {bindingKey, defaultAclPath, parseAclFile} from '../../src/security/acl-spec.js'
import {SERVICE_PRINCIPALS} from '../../src/security/principals.js'
import {loadTopicSpec} from '../../src/topics/spec.js'

const topics = loadTopicSpec().topics.map((t) => t.name)
const shipped = parseAclFile(fs.readFileSync(defaultAclPath(), 'utf8'), 'compose/acls.yaml', topics)

describe('the ACL file', () => {
  it('grants only the admin the ban list, and topic creation only to Connect and MirrorMaker 2 for their own internal topics', () => {
    const banWriters = shipped.filter((b) => b.resource === 'topic' && b.name === 'banned-products' && b.operation === 'write')
    expect(banWriters).toEqual([])
    const creations = shipped.filter((b) => b.operation === 'create')
    expect(new Set(creations.map((b) => b.principal))).toEqual(new Set(['connect', 'mirror']))
    for (const b of creations) expect(topics, `${b.principal} may create ${b.name}`).not.toContain(b.name)
    expect(new Set(shipped.map((b) => b.principal))).not.toContain('admin')
  })

  it('describes every service principal and gives the filter its transactional ids and group by prefix', () => {
    const described = Object.keys(
      (fs.readFileSync(defaultAclPath(), 'utf8').match(/^ {2}(\w+):$/gm) ?? []).reduce((a, l) => ({...a, [l.trim().slice(0, -1)]: 1}), {}),
    )
    expect(described).toEqual(expect.arrayContaining([...SERVICE_PRINCIPALS]))
    expect(shipped).toContainEqual({principal: 'filter', resource: 'transactionalId', name: 'mkt-filter', pattern: 'prefixed', operation: 'write'})
    expect(shipped).toContainEqual({principal: 'filter', resource: 'group', name: 'mkt-filter', pattern: 'prefixed', operation: 'read'})
    expect(shipped).toContainEqual({principal: 'shop', resource: 'topic', name: 'shop-products', pattern: 'literal', operation: 'write'})
  })

  it('reads "*" alone as every resource and "prefix*" as a prefix', () => {
    const [all, prefixed] = parseAclFile('principals:\n  monitor:\n    topics:\n      describe: ["*", "shop-*"]\n', 'f.yaml', topics)
    expect(all).toMatchObject({name: '*', pattern: 'literal'})
    expect(prefixed).toMatchObject({name: 'shop-', pattern: 'prefixed'})
  })

  it('refuses a topic the spec does not have, an unknown operation and a bad principal, naming the file and the entry', () => {
    expect(() => parseAclFile('principals:\n  shop:\n    topics:\n      write: [shop-prodcts]\n', 'my.yaml', topics)).toThrow(
      'The ACL file my.yaml grants shop write on topic "shop-prodcts", which is not in the topic spec.',
    )
    expect(() => parseAclFile('principals:\n  shop:\n    topics:\n      delete: [shop-products]\n', 'my.yaml', topics)).toThrow(
      /my.yaml is invalid at principals.shop.topics/,
    )
    expect(() => parseAclFile('principals:\n  "Bad Name":\n    topics: {}\n', 'my.yaml', topics)).toThrow(/"Bad Name" is not a valid user name/)
  })
})

describe('diffing ACLs', () => {
  it('adds what is missing, removes what the file does not list and counts the rest', () => {
    const [keep, add] = shipped
    const extra = {...keep!, name: 'other-topic'}
    const diff = diffAcls([keep!, add!], {bindings: [keep!, extra], foreign: []})
    expect(diff.add.map(bindingKey)).toEqual([bindingKey(add!)])
    expect(diff.remove.map(bindingKey)).toEqual([bindingKey(extra)])
    expect(diff.unchanged).toBe(1)
  })

  it('gives MirrorMaker 2 its mirrored topics by prefix on the analytics cluster, and the Spark job read access to them', () => {
    const analytics = parseAclFile(fs.readFileSync(defaultAclPath(), 'utf8'), 'compose/acls.yaml', topics, 'analytics')
    for (const operation of ['create', 'write', 'alterConfigs'] as const)
      expect(analytics).toContainEqual({principal: 'mirror', resource: 'topic', name: 'main.', pattern: 'prefixed', operation})
    expect(analytics).toContainEqual({principal: 'mirror', resource: 'transactionalId', name: 'main-mm2-', pattern: 'prefixed', operation: 'write'})
    expect(analytics).toContainEqual({principal: 'analytics', resource: 'topic', name: 'main.', pattern: 'prefixed', operation: 'read'})
    // Nobody may write the analytics cluster's mirrored topics but the mirror.
    expect(analytics.filter((b) => b.operation === 'write' && b.name === 'main.').map((b) => b.principal)).toEqual(['mirror'])
    // Main-cluster grants stay on main: the filter has nothing on the analytics cluster.
    expect(analytics.filter((b) => b.principal === 'filter')).toEqual([])
  })

  it('accepts main.<spec topic> and internal topics on the analytics cluster, and refuses a typo there', () => {
    const file = (grant: string) => `internalTopics: [heartbeats]\nprincipals:\n  mirror:\n    analytics:\n      topics:\n        write: [${grant}]\n`
    expect(parseAclFile(file('main.filtered-products, heartbeats'), 'inline', topics, 'analytics')).toHaveLength(2)
    expect(() => parseAclFile(file('main.filtered-prodcts'), 'inline', topics, 'analytics')).toThrow(/main\.filtered-prodcts.*analytics cluster/)
    // On the main cluster the same section grants nothing.
    expect(parseAclFile(file('main.filtered-products'), 'inline', topics)).toEqual([])
  })
})
