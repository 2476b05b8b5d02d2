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
    const base = await freePortBase(10)
    const result = await infraUp({
      stateDir,
      overrides: {brokers: 3, kafkaPort: base, registryPort: base + 6, metricsPort: base + 7},
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

  /** One sample of a broker's JMX exporter: metric line → value, for lines matching `name`. */
  async function scrape(broker: string, name: string): Promise<Map<string, number>> {
    const port = localRuntimeStatus(stateDir).services.find((s) => s.name === broker)!.ports.metrics
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    return new Map(
      text
        .split('\n')
        .filter((line) => line.startsWith(name))
        .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
    )
  }
  const total = (samples: Map<string, number>) => [...samples.values()].reduce((a, b) => a + b, 0)

  it("exposes each broker's state through the JMX exporter, with the names the alerts use", async () => {
    const brokers = ['kafka-1', 'kafka-2', 'kafka-3']
    const controllers = await Promise.all(brokers.map((b) => scrape(b, 'kafka_controller_active_controller_count')))
    expect(controllers.map((c) => c.size)).toEqual([1, 1, 1])
    expect(controllers.reduce((sum, c) => sum + total(c), 0)).toBe(1) // exactly one active controller
    for (const broker of brokers) {
      expect(total(await scrape(broker, 'kafka_server_replica_manager_under_replicated_partitions ')), broker).toBe(0)
      expect(total(await scrape(broker, 'kafka_server_replica_manager_under_min_isr_partitions ')), broker).toBe(0)
      expect(total(await scrape(broker, 'kafka_controller_offline_partitions_count ')), broker).toBe(0)
      expect(total(await scrape(broker, 'kafka_server_replica_manager_partitions ')), broker).toBeGreaterThan(0)
      expect((await scrape(broker, 'jvm_memory_used_bytes{')).size, broker).toBeGreaterThan(0)
    }
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
    // What KafkaUnderReplicatedPartitions alerts on: the survivors now lead partitions whose third replica is gone.
    const deadline = Date.now() + 60_000
    let underReplicated = 0
    while (underReplicated === 0 && Date.now() < deadline) {
      const counts = await Promise.all(['kafka-1', 'kafka-2'].map((b) => scrape(b, 'kafka_server_replica_manager_under_replicated_partitions ')))
      underReplicated = counts.reduce((sum, c) => sum + total(c), 0)
      if (underReplicated === 0) await new Promise((r) => setTimeout(r, 1000))
    }
    expect(underReplicated).toBeGreaterThan(0)
  })
})
