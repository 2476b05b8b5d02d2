import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {TestProject} from 'vitest/node'

import type {Profile} from '../../src/config/schema.js'
import {infraUp, profileForLayout, stopLocalRuntime} from '../../src/infra/index.js'
import {freePortBase} from './ports.js'

declare module 'vitest' {
  export interface ProvidedContext {
    profile: Profile
    configFile: string
    stateDir: string
  }
}

/**
 * A real local runtime for a whole test project, started through the
 * project's own src/infra code in a temp dir on free ports; the returned
 * teardown purges it.
 */
export async function provideRuntime(project: TestProject, options: RuntimeOptions): Promise<() => Promise<void>> {
  try {
    return await startRuntime(project, options)
  } catch (error) {
    // One unexplained start failure must not cost the whole suite: say it in full, then try once more from scratch.
    process.stderr.write(`${options.name} runtime failed to start, retrying once from scratch: ${(error as Error).message}\n`)
    return startRuntime(project, options)
  }
}

interface RuntimeOptions {
  brokers: 1 | 3
  name: string
  stack?: 'core' | 'full'
}

async function startRuntime(project: TestProject, options: RuntimeOptions): Promise<() => Promise<void>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `mkt-${options.name}-`))
  const stateDir = path.join(root, 'state')
  const configFile = path.join(root, 'config.yaml')
  // Brokers (client + controller each), the registry, for the full stack the analytics node (2), Connect and MirrorMaker, then the JVMs' exporters (6),
  // Prometheus and Alertmanager, the Spark master and worker (4) and HDFS (5).
  const ports = 2 * options.brokers + 22
  const base = await freePortBase(ports)
  const registryPort = base + 2 * options.brokers
  const started = Date.now()
  const up = infraUp({
    stateDir,
    overrides: {
      brokers: options.brokers,
      kafkaPort: base,
      registryPort,
      metricsPort: registryPort + 5,
      ...(options.stack === 'full'
        ? {
            stack: 'full' as const,
            analyticsPort: registryPort + 1,
            connectPort: registryPort + 3,
            mirrorPort: registryPort + 4,
            prometheusPort: registryPort + 11,
            alertmanagerPort: registryPort + 12,
            sparkPort: registryPort + 13,
            hdfsPort: registryPort + 17,
          }
        : {}),
    },
    configFile,
    profileName: options.name,
  })
  const result = await up.catch(async (error: unknown) => {
    await stopLocalRuntime(stateDir, {purge: true}).catch(() => {})
    fs.rmSync(root, {recursive: true, force: true})
    throw error
  })
  process.stderr.write(
    `${options.name} runtime (${options.brokers} broker(s)${options.stack === 'full' ? ', full stack' : ''}) up in ${((Date.now() - started) / 1000).toFixed(1)}s on ports ${base}-${base + ports - 1} (${stateDir})\n`,
  )
  project.provide('profile', profileForLayout(result.state.layout, options.name))
  project.provide('configFile', configFile)
  project.provide('stateDir', stateDir)
  return async () => {
    if (process.env.MKT_TEST_KEEP) fs.cpSync(root, path.join(process.env.MKT_TEST_KEEP, path.basename(root)), {recursive: true})
    await stopLocalRuntime(stateDir, {purge: true})
    fs.rmSync(root, {recursive: true, force: true})
  }
}
