import {describe, expect, inject, it} from 'vitest'

import {loadTopicSpec} from '../../src/topics/index.js'
import {runCli} from '../helpers/cli.js'

const configFile = inject('configFile')
const profile = inject('profile')
// The CLI finds the integration runtime through the profile `infra up` wrote, as a user's would.
const env = {MKT_CONFIG: configFile, MKT_PROFILE: undefined, MKT_BROKERS: undefined, MKT_STATE_DIR: undefined}

describe('mkt CLI against the running runtime', () => {
  it('topics list --json lists every topic of the spec', async () => {
    const result = await runCli(['topics', 'list', '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const names = result.json<{topics: Array<{name: string; inSpec: boolean}>}>().topics.map((t) => t.name)
    for (const t of loadTopicSpec().topics) expect(names).toContain(t.name)
  })

  it('status --json shows the broker and the registry reachable', async () => {
    const result = await runCli(['status', '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const status = result.json<{
      ok: boolean
      kafka: {reachable: boolean; brokers: unknown[]; controller: number}
      registry: {reachable: boolean; compatibility: string}
    }>()
    expect(status.ok).toBe(true)
    expect(status.kafka).toMatchObject({reachable: true, controller: 1})
    expect(status.kafka.brokers).toHaveLength(1)
    expect(status.registry).toMatchObject({reachable: true, compatibility: 'BACKWARD'})
  })

  it('infra status --json reports each service running with pid and ports', async () => {
    const result = await runCli(['infra', 'status', '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const status = result.json<{services: Array<{name: string; state: string; pid: number; ports: Record<string, number>}>}>()
    expect(status.services.map((s) => [s.name, s.state])).toEqual([
      ['kafka-1', 'running'],
      ['registry', 'running'],
    ])
    expect(status.services[0]!.ports.client).toBe(Number(profile.brokers[0]!.split(':')[1]))
  })

  it('topics apply is idempotent on an applied cluster', async () => {
    const result = await runCli(['topics', 'apply', '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const applied = result.json<{applied: string[]; plan: {actions: unknown[]; drift: unknown[]}}>()
    expect(applied.applied).toEqual([])
    expect(applied.plan.drift).toEqual([])
  })

  it('an unreachable broker is one clear error with exit code 4, also as JSON', async () => {
    const result = await runCli(['topics', 'list', '--bootstrap-server', '127.0.0.1:1'], env)
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('Cannot reach the Kafka brokers 127.0.0.1:1')
    expect(result.stderr).toContain('Hint:')
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/) // no stack trace without DEBUG

    const json = await runCli(['status', '--json', '--bootstrap-server', '127.0.0.1:1'], env)
    expect(json.code).toBe(4)
    expect(json.json<{ok: boolean; kafka: {reachable: boolean}}>()).toMatchObject({ok: false, kafka: {reachable: false}})
  })

  it('describes one topic and rejects an unknown one with exit code 7', async () => {
    const ok = await runCli(['topics', 'describe', 'banned-products', '--json'], env)
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.json<{topics: Array<{name: string; configs: Record<string, string>}>}>().topics[0]).toMatchObject({
      name: 'banned-products',
      configs: {'cleanup.policy': 'compact'},
    })
    const missing = await runCli(['topics', 'describe', 'no-such-topic'], env)
    expect(missing.code).toBe(7)
    expect(missing.stderr).toContain('No topic named "no-such-topic"')
  })
})
