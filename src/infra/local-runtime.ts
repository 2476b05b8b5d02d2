import {execFile} from 'node:child_process'
import fs from 'node:fs'
import {promisify} from 'node:util'

import type {Profile} from '../config/schema.js'
import {DEFAULT_SEARCH_URL} from '../config/resolve.js'
import {MktError} from '../errors.js'
import {registryRequest} from '../schema/registry.js'
import {registryJar, resolveArtifact} from './artifacts.js'
import {directorySize} from './disk.js'
import {bootstrapServers, buildServiceGraph, DEFAULT_LAYOUT, registryUrl, startOrder, type RuntimeLayout, type ServiceNode} from './graph.js'
import {formatArgs, isFormatted, kafkaLaunch, newClusterId, writeKafkaConfig} from './kafka-node.js'
import {assertPortsFree} from './ports.js'
import {checkDiskSpace, checkJava} from './prerequisites.js'
import {logFile, processState, startProcess, stopProcess, type ProcessState} from './process.js'
import {waitForHttp, waitForKafka} from './readiness.js'
import {registryHealthUrl, registryLaunch} from './registry-node.js'
import {readRuntimeState, writeRuntimeState, type RuntimeState} from './state.js'

const run = promisify(execFile)

/** Progress of long work; the CLI renders it, tests ignore it. */
export type ProgressEvent = {type: 'start'; id: string; label: string} | {type: 'done'; id: string; detail?: string} | {type: 'note'; message: string}
export type ProgressListener = (event: ProgressEvent) => void

export const MIN_FREE_BYTES = 1024 ** 3

/** A profile that reaches this runtime, for internal health checks and for config.yaml. */
export function profileForLayout(layout: RuntimeLayout, name = 'local'): Profile {
  return {name, brokers: bootstrapServers(layout), schemaRegistry: {url: registryUrl(layout)}, stateDir: layout.stateDir, runtime: 'local', clientId: 'mkt', searchUrl: DEFAULT_SEARCH_URL}
}

async function step<T>(onProgress: ProgressListener, id: string, label: string, fn: () => Promise<T>, detail?: (value: T) => string | undefined): Promise<T> {
  onProgress({type: 'start', id, label})
  const started = Date.now()
  const value = await fn()
  const extra = detail?.(value)
  onProgress({type: 'done', id, detail: [extra, `${((Date.now() - started) / 1000).toFixed(1)}s`].filter(Boolean).join(', ')})
  return value
}

export type LayoutOverrides = Partial<Omit<RuntimeLayout, 'stateDir'>>

export interface StartOptions {
  stateDir: string
  /** What the caller asked for explicitly; the rest comes from runtime.json, else the defaults. */
  overrides?: LayoutOverrides
  timeoutMs?: number
  onProgress?: ProgressListener
}

export interface StartResult {
  state: RuntimeState
  alreadyRunning: boolean
  started: string[]
}

/** Saved layout + explicit overrides; refuses changes a running or existing runtime cannot take. */
export function planLayout(stateDir: string, saved: RuntimeLayout | undefined, overrides: LayoutOverrides, running: boolean): RuntimeLayout {
  const layout: RuntimeLayout = {...DEFAULT_LAYOUT, ...saved, ...overrides, stateDir}
  if (!saved) return layout
  if (layout.brokers !== saved.brokers) {
    throw new MktError(
      `The runtime in ${stateDir} was created with ${saved.brokers} broker(s); it cannot be restarted with ${layout.brokers}.`,
      'Run `mkt infra down --purge` to delete it first, or use another --state-dir.',
      'usage',
    )
  }
  const moved = (['kafkaPort', 'registryPort', 'host'] as const).filter((k) => layout[k] !== saved[k])
  if (running && moved.length > 0) {
    throw new MktError(
      `The runtime in ${stateDir} is running on ${saved.host}:${saved.kafkaPort} (registry ${saved.registryPort}); it cannot move while running.`,
      'Run `mkt infra down` first, then `mkt infra up` with the new ports.',
      'usage',
    )
  }
  return layout
}

/** Starts whatever part of the runtime is not running, waiting until each service answers. */
export async function startLocalRuntime(options: StartOptions): Promise<StartResult> {
  const onProgress = options.onProgress ?? (() => {})
  const timeoutMs = options.timeoutMs ?? 120_000
  const saved = readRuntimeState(options.stateDir)
  const anyRunning = saved ? buildServiceGraph(saved.layout).some((n) => processState(n.dataDir, n.name).state === 'running') : false
  const layout = planLayout(options.stateDir, saved?.layout, options.overrides ?? {}, anyRunning)
  const graph = buildServiceGraph(layout)
  const down = graph.filter((n) => processState(n.dataDir, n.name).state !== 'running')
  if (saved && down.length === 0) return {state: saved, alreadyRunning: true, started: []}

  const java = await step(onProgress, 'java', 'Checking Java', () => checkJava(17), (j) => `Java ${j.version}`)
  checkDiskSpace(layout.stateDir, MIN_FREE_BYTES)
  await assertPortsFree(layout.host, down)
  const [kafka, apicurio] = await step(onProgress, 'artifacts', 'Resolving Kafka and Apicurio from Maven Central', () => Promise.all([resolveArtifact('kafka'), resolveArtifact('apicurio')]), (a) =>
    a.some((x) => x.downloaded) ? 'downloaded' : 'cached',
  )

  const state: RuntimeState = saved ? {...saved, layout} : {version: 1, runtime: 'local', layout, clusterId: newClusterId(), createdAt: new Date().toISOString()}
  writeRuntimeState(state)
  const profile = profileForLayout(layout)
  const isDown = (n: ServiceNode) => down.some((d) => d.name === n.name)

  for (const wave of startOrder(graph)) {
    const brokers = wave.filter((n) => n.kind === 'kafka')
    if (brokers.length > 0) {
      await step(onProgress, 'kafka', `Starting Kafka (${brokers.length} node${brokers.length > 1 ? 's' : ''}, KRaft)`, async () => {
        await Promise.all(
          brokers.filter(isDown).map(async (node) => {
            const index = graph.indexOf(node)
            const files = writeKafkaConfig(layout, node, index)
            if (!isFormatted(node)) await run(java.bin, formatArgs(kafka.dir, node, layout.stateDir, state.clusterId, files), {timeout: 60_000})
            startProcess(node.dataDir, kafkaLaunch(java.bin, kafka.dir, node, layout.stateDir, files))
          }),
        )
        return waitForKafka(profile, brokers, timeoutMs)
      }, (info) => `controller ${info.controller}`)
    }
    for (const node of wave.filter((n) => n.kind === 'registry')) {
      await step(onProgress, node.name, 'Starting Apicurio Registry', async () => {
        if (isDown(node)) startProcess(node.dataDir, registryLaunch(java.bin, registryJar(apicurio.dir), layout, node))
        await waitForHttp(node, registryHealthUrl(layout, node), timeoutMs)
        // The Confluent serializers need a global compatibility level; stored in the registry's DB.
        await registryRequest(profile, 'PUT', '/config', {compatibility: 'BACKWARD'})
      })
    }
  }
  return {state, alreadyRunning: false, started: down.map((n) => n.name)}
}

export interface StopResult {
  stopped: Array<{name: string; result: 'stopped' | 'killed' | 'not-running'}>
  purged: boolean
}

/** Stops in reverse start order: dependents first, brokers last (all at once, so the quorum ends together). */
export async function stopLocalRuntime(stateDir: string, options: {purge?: boolean; timeoutMs?: number; onProgress?: ProgressListener} = {}): Promise<StopResult> {
  const onProgress = options.onProgress ?? (() => {})
  const saved = readRuntimeState(stateDir)
  if (!saved) {
    if (options.purge && fs.existsSync(stateDir) && fs.readdirSync(stateDir).length > 0) {
      throw new MktError(`${stateDir} holds no mkt runtime (no runtime.json), so --purge will not delete it.`, 'Check --state-dir / MKT_STATE_DIR.', 'notFound')
    }
    return {stopped: [], purged: false}
  }
  const stopped: StopResult['stopped'] = []
  const timeoutMs = options.timeoutMs ?? 30_000
  for (const wave of startOrder(buildServiceGraph(saved.layout)).reverse()) {
    const running = wave.filter((n) => processState(n.dataDir, n.name).state === 'running')
    if (running.length === 0) {
      stopped.push(...wave.map((n) => ({name: n.name, result: 'not-running' as const})))
      continue
    }
    await step(onProgress, `stop-${wave[0]!.name}`, `Stopping ${running.map((n) => n.name).join(', ')}`, async () => {
      const results = await Promise.all(wave.map(async (n) => ({name: n.name, result: await stopProcess(n.dataDir, n.name, timeoutMs)})))
      stopped.push(...results)
      return results
    }, (results) => (results.some((r) => r.result === 'killed') ? 'killed after timeout' : 'graceful'))
  }
  if (options.purge) {
    await step(onProgress, 'purge', `Deleting data in ${stateDir}`, async () => fs.rmSync(stateDir, {recursive: true, force: true}))
  }
  return {stopped, purged: Boolean(options.purge)}
}

export interface ServiceStatus {
  name: string
  kind: string
  state: ProcessState
  pid?: number
  ports: Record<string, number>
  startedAt?: string
  uptimeSeconds?: number
  dataBytes: number
  logFile: string
}

export interface RuntimeStatus {
  stateDir: string
  exists: boolean
  brokers?: number
  clusterId?: string
  services: ServiceStatus[]
}

export function localRuntimeStatus(stateDir: string): RuntimeStatus {
  const saved = readRuntimeState(stateDir)
  if (!saved) return {stateDir, exists: false, services: []}
  const services = buildServiceGraph(saved.layout).map((node): ServiceStatus => {
    const {state, record} = processState(node.dataDir, node.name)
    return {
      name: node.name,
      kind: node.kind,
      state,
      ports: node.ports,
      dataBytes: directorySize(node.dataDir),
      logFile: logFile(node.dataDir),
      ...(state === 'running' && record
        ? {pid: record.pid, startedAt: record.startedAt, uptimeSeconds: Math.round((Date.now() - Date.parse(record.startedAt)) / 1000)}
        : {}),
    }
  })
  return {stateDir, exists: true, brokers: saved.layout.brokers, clusterId: saved.clusterId, services}
}

/** The service node of a running or stopped runtime, for `infra logs`. */
export function findService(stateDir: string, name: string): ServiceNode {
  const saved = readRuntimeState(stateDir)
  if (!saved) throw new MktError(`There is no local runtime in ${stateDir}.`, 'Start one with `mkt infra up`.', 'notFound')
  const graph = buildServiceGraph(saved.layout)
  const node = graph.find((n) => n.name === name)
  if (!node) throw new MktError(`There is no service "${name}" in this runtime.`, `Services: ${graph.map((n) => n.name).join(', ')}.`, 'notFound')
  return node
}
