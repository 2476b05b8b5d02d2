import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Profile} from '../../src/config/schema.js'
import {infraUp, type RuntimeLayout, profileForLayout, stopLocalRuntime} from '../../src/infra/index.js'
import {portFree} from '../../src/infra/ports.js'
import {withAdmin} from '../../src/kafka/client.js'
import {waitForLeaders} from '../../src/topics/cluster.js'

export interface BenchRuntime {
  profile: Profile
  root: string
  stateDir: string
  layout: RuntimeLayout
  close: () => Promise<void>
}

/**
 * A throwaway runtime (one broker unless told; the full stack on request)
 * for benchmarks, on free ports, deleted afterwards.
 */
export async function benchRuntime(brokers: 1 | 3 = 1, stack: 'core' | 'full' = 'core'): Promise<BenchRuntime> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-bench-'))
  // Brokers (client + controller each), the registry, for the full stack the analytics node (2), Connect and MirrorMaker, then the JVMs' exporters (6), Prometheus and Alertmanager.
  const span = 2 * brokers + 1 + 4 + 6 + 2
  let base = 30_000 + 2 * Math.floor(Math.random() * 5000)
  const free = async (from: number) => {
    for (let p = from; p < from + span; p++) if (!(await portFree('127.0.0.1', p))) return false
    return true
  }
  while (!(await free(base))) base += 8
  process.stderr.write(`bench: starting a ${stack === 'full' ? 'full stack' : 'runtime'} with ${brokers} broker(s) on ports ${base}-${base + span - 1}…\n`)
  const registryPort = base + 2 * brokers
  const up = await infraUp({
    stateDir: path.join(root, 'state'),
    overrides: {
      brokers,
      kafkaPort: base,
      registryPort,
      metricsPort: registryPort + 5,
      ...(stack === 'full'
        ? {
            stack,
            analyticsPort: registryPort + 1,
            connectPort: registryPort + 3,
            mirrorPort: registryPort + 4,
            prometheusPort: registryPort + 11,
            alertmanagerPort: registryPort + 12,
          }
        : {}),
    },
    configFile: path.join(root, 'config.yaml'),
    profileName: 'bench',
  })
  const profile = profileForLayout(up.state.layout, 'bench')
  return {
    profile,
    root,
    stateDir: up.state.layout.stateDir,
    layout: up.state.layout,
    close: async () => {
      await stopLocalRuntime(up.state.layout.stateDir, {purge: true})
      fs.rmSync(root, {recursive: true, force: true})
    },
  }
}

export async function createTopic(profile: Profile, topic: string, partitions: number, replication = 1, configs: Record<string, string> = {}): Promise<void> {
  await withAdmin(profile, async (admin) => {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {topic, numPartitions: partitions, replicationFactor: replication, configEntries: Object.entries(configs).map(([name, value]) => ({name, value}))},
      ],
    })
    await waitForLeaders(admin, [topic], replication)
  })
}
