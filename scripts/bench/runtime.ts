import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Profile} from '../../src/config/schema.js'
import {infraUp, profileForLayout, stopLocalRuntime} from '../../src/infra/index.js'
import {portFree} from '../../src/infra/ports.js'
import {withAdmin} from '../../src/kafka/client.js'
import {waitForLeaders} from '../../src/topics/cluster.js'

/** A throwaway single-broker runtime for benchmarks, on free ports, deleted afterwards. */
export async function benchRuntime(): Promise<{profile: Profile; root: string; close: () => Promise<void>}> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-bench-'))
  let base = 30_000 + 2 * Math.floor(Math.random() * 5000)
  while (!(await portFree('127.0.0.1', base)) || !(await portFree('127.0.0.1', base + 1)) || !(await portFree('127.0.0.1', base + 2))) base += 4
  process.stderr.write(`bench: starting a runtime on ports ${base}-${base + 2}…\n`)
  const up = await infraUp({runtime: 'local', stateDir: path.join(root, 'state'), overrides: {kafkaPort: base, registryPort: base + 2}, configFile: path.join(root, 'config.yaml'), profileName: 'bench'})
  const profile = profileForLayout(up.state.layout, 'bench')
  return {
    profile,
    root,
    close: async () => {
      await stopLocalRuntime(up.state.layout.stateDir, {purge: true})
      fs.rmSync(root, {recursive: true, force: true})
    },
  }
}

export async function createTopic(profile: Profile, topic: string, partitions: number): Promise<void> {
  await withAdmin(profile, async (admin) => {
    await admin.createTopics({waitForLeaders: false, topics: [{topic, numPartitions: partitions, replicationFactor: 1}]})
    await waitForLeaders(admin, [topic], 1)
  })
}
