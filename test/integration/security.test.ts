import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import YAML from 'yaml'
import {afterAll, afterEach, describe, expect, inject, it} from 'vitest'

import {withAdmin} from '../../src/kafka/client.js'
import {defaultAclPath, ensureCertificates, SERVICE_PRINCIPALS, type AclFile} from '../../src/security/index.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import {startCli} from '../helpers/spawn.js'

// Deny → grant → allow, as cp-demo does it: each refusal is the exact sentence a user reads, with no stack trace.
const profile = inject('profile')
const configFile = inject('configFile')
const stateDir = inject('stateDir')
const base = profile.name
const broker = profile.brokers[0]!
const port = broker.split(':')[1]!
const as = (principal: string, extra: Record<string, string> = {}) => ({
  MKT_CONFIG: configFile,
  MKT_PROFILE: `${base}:${principal}`,
  MKT_BROKERS: undefined,
  MKT_STATE_DIR: undefined,
  NO_COLOR: '1',
  ...extra,
})
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-security-'))
afterAll(async () => {
  await runCli(['acl', 'apply'], as('admin')) // whatever a test granted is taken back
  fs.rmSync(tmp, {recursive: true, force: true})
})

function refused(result: CliResult, exitCode: number, message: string | RegExp): void {
  expect(result.code, result.stderr).toBe(exitCode)
  if (typeof message === 'string') expect(result.stderr).toContain(message)
  else expect(result.stderr).toMatch(message)
  expect(result.stderr).not.toMatch(/\n\s+at /) // no stack trace
}

function allowed(result: CliResult): void {
  expect(result.code, result.stderr).toBe(0)
}

/** Applies compose/acls.yaml with one change: the grant the refused call lacked. */
async function grant(change: (file: AclFile) => void): Promise<void> {
  const acls = YAML.parse(fs.readFileSync(defaultAclPath(), 'utf8')) as AclFile
  change(acls)
  const file = path.join(tmp, `acls-${crypto.randomUUID()}.yaml`)
  fs.writeFileSync(file, YAML.stringify(acls))
  allowed(await runCli(['acl', 'apply', '--file', file], as('admin')))
}

async function restoreAcls(): Promise<void> {
  const applied = await runCli(['acl', 'apply', '--json'], as('admin'))
  allowed(applied)
}

describe('connecting to the secure cluster', () => {
  it('tells a plaintext client that the listener expects TLS', async () => {
    refused(
      await runCli(['topics', 'list'], as('admin', {MKT_TLS: 'false'})),
      14,
      `The broker at ${broker} expects TLS, but profile "${base}:admin" connects in plaintext.`,
    )
    allowed(await runCli(['topics', 'list'], as('admin')))
  })

  it('refuses a client that does not trust the cluster CA, with kafkajs and with librdkafka', async () => {
    const other = await ensureCertificates({stateDir: path.join(tmp, 'other'), nodes: []})
    const untrusted = as('shop', {MKT_TLS_CA: other.paths.ca})
    const message = `The client does not trust the brokers' certificate (profile "${base}:shop"): it is not signed by a CA the profile trusts.`
    refused(await runCli(['topics', 'list'], untrusted), 14, message)
    refused(await runCli(['shop', 'send', '--file', 'data/products.json'], untrusted), 14, message)
    allowed(await runCli(['shop', 'send', '--file', 'data/products.json'], as('shop', {MKT_TLS_CA: path.join(stateDir, 'certs', 'ca.pem')})))
  })

  it('refuses a broker certificate issued for another host name', async () => {
    // 127.1 reaches the same listener, but the certificate names 127.0.0.1, localhost and kafka-1, not "127.1".
    const message = `The broker's certificate is not issued for the address in the profile (127.1:${port}): host name mismatch.`
    refused(await runCli(['topics', 'list'], as('admin', {MKT_BROKERS: `127.1:${port}`})), 14, message)
    refused(await runCli(['shop', 'send', '--file', 'data/products.json'], as('shop', {MKT_BROKERS: `127.1:${port}`})), 14, message)
    allowed(await runCli(['topics', 'list'], as('admin', {MKT_BROKERS: `127.0.0.1:${port}`})))
  })

  it('refuses a wrong password and an unknown user, and accepts the generated one', async () => {
    const wrong = as('shop', {MKT_SASL_USERNAME: 'shop', MKT_SASL_PASSWORD: 'not-the-password'})
    refused(
      await runCli(['shop', 'send', '--file', 'data/products.json'], wrong),
      14,
      `The brokers refused the credentials of user "shop" (profile "${base}:shop"): wrong password or unknown user.`,
    )
    const unknown = as('shop', {MKT_SASL_USERNAME: 'nobody', MKT_SASL_PASSWORD: 'x'})
    refused(
      await runCli(['topics', 'list'], unknown),
      14,
      `The brokers refused the credentials of user "nobody" (profile "${base}:shop"): wrong password or unknown user.`,
    )
    allowed(await runCli(['shop', 'send', '--file', 'data/products.json'], as('shop')))
  })
})

describe('least-privilege ACLs', () => {
  afterEach(restoreAcls) // a failed test must not leave its grant (or its removal) behind
  it('keeps the shop from reading the filtered catalogue until an ACL allows it', async () => {
    const read = () => runCli(['consume', 'filtered-products', '-n', '1'], as('shop'))
    refused(await read(), 15, `User "shop" (profile "${base}:shop") is not allowed to read topic "filtered-products" (TOPIC_AUTHORIZATION_FAILED).`)
    // Following from the end takes another path (one librdkafka client, no admin calls); the refusal is the same.
    const follow = await runCli(['consume', 'filtered-products', '--follow', '--from', 'end'], as('shop'))
    refused(follow, 15, `User "shop" (profile "${base}:shop") is not allowed to read topic "filtered-products" (TOPIC_AUTHORIZATION_FAILED).`)
    await grant((acls) => {
      const shop = acls.principals.shop!
      shop.topics = {...shop.topics, read: ['filtered-products']}
      shop.groups = {read: ['mkt-reader-*']}
    })
    allowed(await read())
    await restoreAcls()
    refused(await read(), 15, 'is not allowed to read topic "filtered-products"')
  })

  it('lets only the admin write the ban list', async () => {
    const ban = () => runCli(['ban', 'add', '--product-id', 'acl-test-1', '--reason', 'acl test'], as('client'))
    refused(await ban(), 15, `User "client" (profile "${base}:client") is not allowed to write topic "banned-products" (TOPIC_AUTHORIZATION_FAILED).`)
    await grant((acls) => {
      const client = acls.principals.client!
      client.topics = {...client.topics, write: [...(client.topics?.write ?? []), 'banned-products']}
    })
    allowed(await ban())
    await restoreAcls()
    allowed(await runCli(['ban', 'remove', '--product-id', 'acl-test-1'], as('admin')))
  })

  it('refuses the filter its transactional ids until the ACL is back', async () => {
    await grant((acls) => delete acls.principals.filter!.transactionalIds)
    const denied = await runCli(['filter', 'start', '--metrics-port', '0'], as('filter', {MKT_LOG_LEVEL: 'warn'}), 60_000)
    refused(denied, 15, `User "filter" (profile "${base}:filter") is not allowed to write transactional id "mkt-filter-`)
    await restoreAcls()
    const filter = startCli(['filter', 'start', '--metrics-port', '0'], as('filter', {MKT_LOG_LEVEL: 'info'}))
    await filter.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
    filter.child.kill('SIGTERM')
    expect(await filter.exited).toBe(0)
  })

  it('lets no service principal create a topic; an ACL for a prefix lets the shop create one', async () => {
    const topic = `acl-test-${Date.now()}`
    const spec = path.join(tmp, 'one-topic.yaml')
    fs.writeFileSync(spec, YAML.stringify({topics: [{name: topic, partitions: 1}]}))
    for (const principal of SERVICE_PRINCIPALS) {
      refused(
        await runCli(['topics', 'apply', '--spec', spec], as(principal)),
        15,
        // Refused at its first step: describing the topics it can see, or creating the new one.
        new RegExp(
          `User "${principal}" \\(profile "${base}:${principal}"\\) is not allowed to (apply the topic spec|create topic "${topic}"): no topic ACL allows it \\(TOPIC_AUTHORIZATION_FAILED\\)\\.`,
        ),
      )
    }
    await grant((acls) => {
      const shop = acls.principals.shop!
      shop.topics = {...shop.topics, describeConfigs: ['*'], create: ['acl-test-*'], describe: ['acl-test-*']}
    })
    allowed(await runCli(['topics', 'apply', '--spec', spec], as('shop')))
    expect(await withAdmin(profile, (admin) => admin.listTopics())).toContain(topic)
    await restoreAcls()
    await withAdmin(profile, (admin) => admin.deleteTopics({topics: [topic]}))
  })

  it('apply is idempotent and diff shows no drift after it', async () => {
    const again = await runCli(['acl', 'apply', '--json'], as('admin'))
    allowed(again)
    expect(again.json<{add: unknown[]; remove: unknown[]; unchanged: number}>()).toMatchObject({add: [], remove: []})
    const diff = await runCli(['acl', 'diff', '--exit-code'], as('admin'))
    allowed(diff)
    expect(diff.stdout).toContain('No drift')
  })
})

describe('users', () => {
  it('creates a user that can do nothing until granted, rotates its password and deletes it', async () => {
    const name = `it-user-${Date.now() % 100_000}`
    refused(await runCli(['users', 'create', name], as('shop')), 15, `User "shop" (profile "${base}:shop") is not allowed to manage SCRAM users`)
    allowed(await runCli(['users', 'create', name], as('admin')))
    const file = path.join(stateDir, 'secrets', `${name}.password`)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const first = fs.readFileSync(file, 'utf8')
    refused(
      await runCli(['consume', 'filtered-products', '-n', '1'], as(name)),
      15,
      `User "${name}" (profile "${base}:${name}") is not allowed to read topic "filtered-products"`,
    )
    allowed(await runCli(['users', 'rotate', name], as('admin')))
    expect(fs.readFileSync(file, 'utf8')).not.toBe(first)
    // The rotated password works: the refusal is still an ACL one, not an authentication failure.
    refused(await runCli(['consume', 'filtered-products', '-n', '1'], as(name)), 15, 'is not allowed to read topic')
    const listed = await runCli(['users', 'list', '--json'], as('admin'))
    expect(listed.json<Array<{name: string}>>().map((u) => u.name)).toEqual(expect.arrayContaining(['admin', 'shop', 'filter', name]))
    expect(listed.stdout).not.toContain(fs.readFileSync(file, 'utf8').trim())
    allowed(await runCli(['users', 'delete', name], as('admin')))
    expect(fs.existsSync(file)).toBe(false)
  })
})
