import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {TestProject} from 'vitest/node'

import {infraUp, profileForLayout, stopLocalRuntime} from '../../src/infra/index.js'
import type {Profile} from '../../src/config/schema.js'
import {freePortBase} from '../helpers/ports.js'

declare module 'vitest' {
  export interface ProvidedContext {
    profile: Profile
    configFile: string
    stateDir: string
  }
}

/**
 * One real local runtime for the whole integration run, started through the
 * project's own src/infra code in a temp dir on free ports, purged at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-it-'))
  const stateDir = path.join(root, 'state')
  const configFile = path.join(root, 'config.yaml')
  const base = await freePortBase(4)
  const started = Date.now()
  const result = await infraUp({runtime: 'local', stateDir, overrides: {kafkaPort: base, registryPort: base + 2}, configFile, profileName: 'it'})
  process.stderr.write(`integration runtime up in ${((Date.now() - started) / 1000).toFixed(1)}s on ports ${base}-${base + 2} (${stateDir})\n`)
  project.provide('profile', profileForLayout(result.state.layout, 'it'))
  project.provide('configFile', configFile)
  project.provide('stateDir', stateDir)
  return async () => {
    await stopLocalRuntime(stateDir, {purge: true})
    fs.rmSync(root, {recursive: true, force: true})
  }
}
