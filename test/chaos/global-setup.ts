import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {TestProject} from 'vitest/node'

import {infraUp, profileForLayout, stopLocalRuntime} from '../../src/infra/index.js'
import {freePortBase} from '../helpers/ports.js'

/**
 * The chaos suite's own runtime: three brokers (replication 3,
 * min.insync.replicas 2) so that one can die, started through src/infra in a
 * temp dir on free ports, purged at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-chaos-'))
  const stateDir = path.join(root, 'state')
  const configFile = path.join(root, 'config.yaml')
  const base = await freePortBase(8)
  const started = Date.now()
  const result = await infraUp({runtime: 'local', stateDir, overrides: {brokers: 3, kafkaPort: base, registryPort: base + 6}, configFile, profileName: 'chaos'})
  process.stderr.write(`chaos runtime (3 brokers) up in ${((Date.now() - started) / 1000).toFixed(1)}s on ports ${base}-${base + 6} (${stateDir})\n`)
  project.provide('profile', profileForLayout(result.state.layout, 'chaos'))
  project.provide('configFile', configFile)
  project.provide('stateDir', stateDir)
  return async () => {
    await stopLocalRuntime(stateDir, {purge: true})
    fs.rmSync(root, {recursive: true, force: true})
  }
}
