import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Profile} from '../../src/config/schema.js'
import {
  buildServiceGraph,
  infraUp,
  localRuntimeStatus,
  profileForLayout,
  readRuntimeState,
  restartService,
  signalService,
  stopLocalRuntime,
  type RuntimeLayout,
} from '../../src/infra/index.js'
import {waitForKafka} from '../../src/infra/readiness.js'
import {listSubjects, registryRequest} from '../../src/schema/index.js'
import {consumeTopic} from '../../src/consume/index.js'
import {withAdmin} from '../../src/kafka/client.js'
import {waitForGroup} from '../../src/kafka/lag.js'
import {runCli} from '../helpers/cli.js'
import {freePortBase} from '../helpers/ports.js'
import {startCli} from '../helpers/spawn.js'

// Drills kill and freeze services, so they get a runtime of their own (not the shared one of global-setup).
describe('failure drills: mkt infra kill / restart', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-drills-'))
  const stateDir = path.join(root, 'state')
  const configFile = path.join(root, 'config.yaml')
  // The CLI finds this runtime through the profile infraUp writes, as a user's would.
  const env = {MKT_CONFIG: configFile, MKT_PROFILE: 'drills', MKT_BROKERS: undefined, MKT_SCHEMA_REGISTRY_URL: undefined, MKT_STATE_DIR: undefined}
  let profile: Profile
  let layout: RuntimeLayout

  const service = (name: string) => localRuntimeStatus(stateDir).services.find((s) => s.name === name)!
  const broker = () => buildServiceGraph(layout)[0]!
  /** True when the broker answers a metadata request (Kafka admin describeCluster) within the time. */
  const brokerAnswers = (timeoutMs: number) =>
    Promise.race([
      waitForKafka(profile, [broker()], timeoutMs).then(
        () => true,
        () => false,
      ),
      sleep(timeoutMs + 500).then(() => false),
    ])

  beforeAll(async () => {
    const base = await freePortBase(4)
    const result = await infraUp({
      stateDir,
      overrides: {kafkaPort: base, registryPort: base + 2, metricsPort: base + 3},
      configFile,
      profileName: 'drills',
    })
    layout = result.state.layout
    profile = profileForLayout(layout, 'drills')
  })

  afterAll(async () => {
    await stopLocalRuntime(stateDir, {purge: true})
    fs.rmSync(root, {recursive: true, force: true})
  })

  it('names the valid services for an unknown one, exit code 7, also as JSON', async () => {
    const result = await runCli(['infra', 'kill', 'kafka-9'], env)
    expect(result.code).toBe(7)
    expect(result.stderr).toContain('There is no service "kafka-9" in this runtime.')
    expect(result.stderr).toContain('Services: kafka-1, registry.')
    const json = await runCli(['infra', 'restart', 'zookeeper', '--json'], env)
    expect(json.code).toBe(7)
    expect(json.json<{error: Record<string, unknown>}>().error).toMatchObject({code: 'notFound', exitCode: 7, suggestion: 'Services: kafka-1, registry.'})
    expect(service('kafka-1').state).toBe('running')
  })

  it('STOP freezes the broker (status frozen, no answer within 3 s); CONT thaws it', async () => {
    const pid = service('kafka-1').pid
    const stop = await runCli(['infra', 'kill', 'kafka-1', '--signal', 'STOP', '--json'], env)
    expect(stop.code, stop.stderr).toBe(0)
    expect(stop.json()).toEqual({service: 'kafka-1', pid, signal: 'STOP'})
    expect(service('kafka-1')).toMatchObject({state: 'frozen', pid})
    const status = await runCli(['infra', 'status', '--json'], env)
    expect(status.json<{services: Array<{name: string; state: string}>}>().services.map((s) => [s.name, s.state])).toEqual([
      ['kafka-1', 'frozen'],
      ['registry', 'running'],
    ])
    expect(await brokerAnswers(3000)).toBe(false)

    const cont = await signalService(stateDir, 'kafka-1', 'CONT')
    expect(cont).toMatchObject({pid, before: 'frozen', after: 'running'})
    expect(await brokerAnswers(30_000)).toBe(true)
  })

  it('KILL crashes the broker; killing it again says it is not running and how to start it', async () => {
    const killed = await signalService(stateDir, 'kafka-1', 'KILL')
    expect(killed).toMatchObject({service: 'kafka-1', signal: 'KILL', before: 'running', after: 'crashed'})
    expect(service('kafka-1').state).toBe('crashed')
    const again = await runCli(['infra', 'kill', 'kafka-1'], env)
    expect(again.code).toBe(7)
    expect(again.stderr).toContain(`kafka-1 is not running: its process ${killed.pid} is gone`)
    expect(again.stderr).toContain('mkt infra restart kafka-1')
  })

  it('restart brings the crashed broker back on its own data, without touching the registry', async () => {
    const registryPid = service('registry').pid
    const result = await restartService(stateDir, 'kafka-1')
    expect(result).toMatchObject({service: 'kafka-1', previous: 'crashed', stop: 'not-running', ports: broker().ports})
    expect(service('kafka-1')).toMatchObject({state: 'running', pid: result.pid})
    const cluster = await waitForKafka(profile, [broker()], 10_000)
    expect(cluster.clusterId).toBe(readRuntimeState(stateDir)!.clusterId) // the same formatted storage
    expect(service('registry').pid).toBe(registryPid)
  })

  it('restart of a frozen registry thaws it, stops it gracefully and keeps its schemas', async () => {
    const subject = `drill-${Date.now()}-value`
    const schema = {type: 'record', name: 'Drill', namespace: 'dev.mkt.test', fields: [{name: 'id', type: 'string'}]}
    const {id} = await registryRequest<{id: number}>(profile, 'POST', `/subjects/${subject}/versions`, {schema: JSON.stringify(schema)})
    const brokerPid = service('kafka-1').pid
    const {pid: oldPid} = await signalService(stateDir, 'registry', 'STOP')
    expect(service('registry').state).toBe('frozen')

    const restart = await runCli(['infra', 'restart', 'registry', '--json'], env)
    expect(restart.code, restart.stderr).toBe(0)
    const result = restart.json<{service: string; previous: string; previousPid: number; stop: string; pid: number}>()
    expect(result).toMatchObject({service: 'registry', previous: 'frozen', previousPid: oldPid, stop: 'stopped'}) // graceful: SIGCONT came before SIGTERM
    expect(result.pid).not.toBe(oldPid)
    expect(service('registry')).toMatchObject({state: 'running', pid: result.pid})
    expect(service('kafka-1').pid).toBe(brokerPid)

    const latest = await registryRequest<{id: number; schema: string}>(profile, 'GET', `/subjects/${subject}/versions/latest`)
    expect(latest.id).toBe(id)
    expect(JSON.parse(latest.schema)).toMatchObject({name: 'Drill'})
  })

  it('infra down then up keeps topics, schemas, bans, the search snapshot and consumer positions', {timeout: 240_000}, async () => {
    expect((await runCli(['shop', 'send', '--file', 'data/products.json'], env)).code).toBe(0)
    expect((await runCli(['ban', 'add', '--product-id', '12345', '--reason', 'persistence drill'], env)).code).toBe(0)
    const filter = startCli(['filter', 'start', '--metrics-port', '0'], {...env, MKT_LOG_LEVEL: 'info'})
    await filter.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
    await waitForGroup(profile, 'mkt-filter', 'shop-products', {stallMs: 60_000})
    filter.child.kill('SIGTERM')
    expect(await filter.exited).toBe(0)
    const port = String(await freePortBase(1))
    let indexer = startCli(['index', 'start', '--port', port], {...env, MKT_LOG_LEVEL: 'info'})
    await indexer.waitFor(/"msg":"caught up; serving fresh results"/, 60_000, 'stderr')
    indexer.child.kill('SIGTERM')
    expect(await indexer.exited).toBe(0)

    const topicsOf = async () =>
      (await runCli(['topics', 'list', '--json'], env))
        .json<{topics: Array<{name: string; partitions: number}>}>()
        .topics.map((t) => `${t.name}/${t.partitions}`)
        .sort()
    const subjectsOf = async () => JSON.stringify(await listSubjects(profile))
    const committedOf = () => withAdmin(profile, async (admin) => JSON.stringify(await admin.fetchOffsets({groupId: 'mkt-filter', topics: ['shop-products']})))
    const passedOf = async () => (await consumeTopic(profile, 'filtered-products', {onRecord: () => {}})).count
    const before = {topics: await topicsOf(), schemas: await subjectsOf(), committed: await committedOf(), passed: await passedOf()}
    expect(before.passed).toBe(73) // 74 sample cards, one banned

    expect((await runCli(['infra', 'down'], env)).code).toBe(0)
    expect(localRuntimeStatus(stateDir).services.every((s) => s.state === 'stopped')).toBe(true)
    expect((await runCli(['infra', 'up'], env)).code).toBe(0)

    expect(await topicsOf()).toEqual(before.topics)
    expect(await subjectsOf()).toBe(before.schemas)
    expect(await committedOf()).toBe(before.committed)
    const bans = (await runCli(['ban', 'list', '--json'], env)).json<{bans: Array<{key: string}>}>()
    expect(bans.bans.map((b) => b.key)).toContain('product:12345')
    indexer = startCli(['index', 'start', '--port', port], {...env, MKT_LOG_LEVEL: 'info'})
    await indexer.waitFor(/"msg":"caught up; serving fresh results"/, 60_000, 'stderr')
    expect(indexer.stderr()).toMatch(/snapshot loaded; catching up from its offsets/)
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {products: number; visible: number}
    expect(health).toMatchObject({products: 73, visible: 73}) // the banned card never reached filtered-products
    indexer.child.kill('SIGTERM')
    expect(await indexer.exited).toBe(0)
    // The filter resumes from its committed offsets: nothing is filtered a second time.
    const again = startCli(['filter', 'start', '--metrics-port', '0'], {...env, MKT_LOG_LEVEL: 'info'})
    await again.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
    await sleep(3000)
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
    expect(await passedOf()).toBe(before.passed)
  })

  it(
    "says at once, not after its timeout, when a restarted broker refuses every login (here: an admin password that is not the cluster's)",
    {timeout: 180_000},
    async () => {
      const file = path.join(stateDir, 'secrets', 'admin.password')
      const password = fs.readFileSync(file, 'utf8')
      fs.writeFileSync(file, 'not-the-password\n', {mode: 0o600})
      try {
        const started = Date.now()
        const refused = await runCli(['infra', 'restart', 'kafka-1', '--timeout', '120'], env, 150_000)
        expect(refused.code, refused.stderr).toBe(6)
        expect(refused.stderr).toContain("kafka-1 runs but refuses every login, the admin's included.")
        expect(Date.now() - started).toBeLessThan(90_000) // 20 s of refusals, not the 120 s timeout
      } finally {
        fs.writeFileSync(file, password, {mode: 0o600})
      }
      const back = await runCli(['infra', 'restart', 'kafka-1'], env, 150_000)
      expect(back.code, back.stderr).toBe(0)
      expect((await runCli(['topics', 'list'], env)).code).toBe(0)
    },
  )

  // Kafka 3.9 loses every SCRAM user on a node that rebuilds its metadata from a log with the bootstrap users and a
  // deleted user (for some user names, this one among them) and no snapshot before them; the runtime takes a metadata
  // snapshot every 30 s so that a restart starts from one. Without it this restart refused every login (checked by hand).
  it('keeps every SCRAM user across a restart after a user was deleted', {timeout: 180_000}, async () => {
    const name = 'it-user-66756'
    expect((await runCli(['users', 'create', name], env)).code).toBe(0)
    expect((await runCli(['users', 'delete', name], env)).code).toBe(0)
    const metadata = path.join(stateDir, 'kafka-1', 'data', '__cluster_metadata-0')
    const snapshots = () => fs.readdirSync(metadata).filter((f) => f.endsWith('.checkpoint')).length
    const before = snapshots()
    const deadline = Date.now() + 60_000
    while (snapshots() === before && Date.now() < deadline) await sleep(1000)
    expect(snapshots()).toBeGreaterThan(before)
    const restarted = await runCli(['infra', 'restart', 'kafka-1'], env, 150_000)
    expect(restarted.code, restarted.stderr).toBe(0)
    expect((await runCli(['topics', 'list'], {...env, MKT_PROFILE: 'drills:shop'})).code).not.toBe(14) // the shop logs in too
  })

  // On this runtime of its own: a renewal that went wrong must not take the shared one down with it.
  it('names the broker host names and IP, and a renewal with --force plus a broker restart keeps the cluster usable', {timeout: 300_000}, async () => {
    const show = await runCli(['certs', 'show', '--json'], env)
    expect(show.code, show.stderr).toBe(0)
    const kafka1 = show.json<Array<{file: string; sans: string[]; daysLeft: number}>>().find((c) => c.file.endsWith('kafka-1.pem'))!
    expect(kafka1.sans).toEqual(expect.arrayContaining(['DNS:kafka-1', 'DNS:localhost', 'IP:127.0.0.1']))
    expect(kafka1.daysLeft).toBeGreaterThan(800)
    const before = fs.readFileSync(path.join(stateDir, 'certs', 'ca.pem'), 'utf8')

    const renewed = await runCli(['certs', 'create', '--force'], env)
    expect(renewed.code, renewed.stderr).toBe(0)
    expect(fs.readFileSync(path.join(stateDir, 'certs', 'ca.pem'), 'utf8')).not.toBe(before)
    const restarted = await runCli(['infra', 'restart', 'kafka-1'], env, 200_000)
    // CI once saw this restart never answer, and the admin refused afterwards: say what the broker logged.
    const brokerLog = () =>
      fs
        .readFileSync(path.join(stateDir, 'kafka-1', 'service.log'), 'utf8')
        .split('\n')
        .slice(-60)
        .join('\n')
    expect(restarted.code, `${restarted.stderr}\n--- kafka-1 log ---\n${brokerLog()}`).toBe(0)
    const listed = await runCli(['topics', 'list'], env)
    expect(listed.code, listed.stderr).toBe(0)
    const sent = await runCli(['shop', 'send', '--file', 'data/products.json'], {...env, MKT_PROFILE: 'drills:shop'})
    expect(sent.code, sent.stderr).toBe(0)
  })
})
