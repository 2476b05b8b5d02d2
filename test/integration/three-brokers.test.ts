import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Profile} from '../../src/config/schema.js'
import {infraUp, localRuntimeStatus, profileForLayout, stopLocalRuntime, stopProcess} from '../../src/infra/index.js'
import {withAdmin} from '../../src/kafka/client.js'
import {ConfigResourceTypes} from '../../src/kafka/kafkajs.js'
import {listTopics, loadTopicSpec} from '../../src/topics/index.js'
import {produce, readTopic} from '../helpers/kafka.js'
import {freePortBase} from '../helpers/ports.js'

describe('3-broker runtime', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-3b-'))
  const stateDir = path.join(root, 'state')
  let profile: Profile

  beforeAll(async () => {
    const base = await freePortBase(8)
    const result = await infraUp({
      runtime: 'local',
      stateDir,
      overrides: {brokers: 3, kafkaPort: base, registryPort: base + 6},
      configFile: path.join(root, 'config.yaml'),
      profileName: 'three',
    })
    profile = profileForLayout(result.state.layout, 'three')
  })

  afterAll(async () => {
    await stopLocalRuntime(stateDir, {purge: true})
    fs.rmSync(root, {recursive: true, force: true})
  })

  it('gives every platform partition 3 in-sync replicas and min.insync.replicas=2', async () => {
    const topics = await listTopics(profile)
    expect(topics.map((t) => t.name).sort()).toEqual(
      loadTopicSpec()
        .topics.map((t) => t.name)
        .sort(),
    )
    for (const topic of topics) {
      for (const p of topic.partitionDetails) {
        expect(p.replicas, `${topic.name}/${p.partition}`).toHaveLength(3)
        expect(p.isr, `${topic.name}/${p.partition}`).toHaveLength(3)
      }
    }
    const minIsr = await withAdmin(profile, async (admin) => {
      const {resources} = await admin.describeConfigs({
        includeSynonyms: false,
        resources: ['1', '2', '3'].map((name) => ({type: ConfigResourceTypes.BROKER, name})),
      })
      return resources.map((r) => r.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue)
    })
    expect(minIsr).toEqual(['2', '2', '2'])
  })

  it('keeps accepting acks=all writes with one broker down', async () => {
    const victim = localRuntimeStatus(stateDir).services.find((s) => s.name === 'kafka-3')!
    expect(victim.state).toBe('running')
    await stopProcess(path.join(stateDir, 'kafka-3'), 'kafka-3', 30_000)
    const survivors = {...profile, brokers: profile.brokers.slice(0, 2)}
    const key = `degraded-${Date.now()}`
    await produce(survivors, 'shop-products', [{key, value: 'written with 2 of 3 brokers'}])
    const records = await readTopic(survivors, 'shop-products', (rs) => rs.some((r) => r.key === key))
    expect(records.find((r) => r.key === key)?.value?.toString()).toBe('written with 2 of 3 brokers')
  })
})
