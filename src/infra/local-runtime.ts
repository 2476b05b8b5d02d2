import fs from 'node:fs'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {registryRequest} from '../schema/registry.js'
import {registryJar, resolveArtifact, type ArtifactName} from './artifacts.js'
import {directorySize} from './disk.js'
import {
  buildServiceGraph,
  clusterNodes,
  connectUrl,
  DATANODE,
  DEFAULT_LAYOUT,
  NAMENODE,
  SPARK_MASTER,
  startOrder,
  type RuntimeLayout,
  type ServiceKind,
  type ServiceNode,
} from './graph.js'
import {formatTool, isFormatted, kafkaLaunch, newClusterId, toolJvmArgs, writeKafkaConfig} from './kafka-node.js'
import {runJavaTool} from './java-tool.js'
import {bootstrapUsers, ensureRuntimeCertificates, nodeSecurity} from './secure-runtime.js'
import {ADMIN_PRINCIPAL} from '../security/principals.js'
import {secretsDir} from '../security/secrets.js'
import {assertPortsFree, waitForPortsFree} from './ports.js'
import {checkDiskSpace, checkJava} from './prerequisites.js'
import {profileForLayout} from './layout-profile.js'
import {
  isAlive,
  logFile,
  processState,
  sendSignal,
  startProcess,
  stopProcess,
  tailFile,
  type LaunchSpec,
  type ProcessRecord,
  type ProcessState,
} from './process.js'
import {LoginsRefused, waitForHeartbeat, waitForHttp, waitForKafka} from './readiness.js'
import {registryHealthUrl, registryLaunch} from './registry-node.js'
import {withJmxAgent} from './jmx-agent.js'
import {mirrorLaunch, writeMirrorConfig} from './mirror-node.js'
import {connectLaunch, writeConnectConfig} from './connect-node.js'
import {alertmanagerLaunch, monitoringBinary, prometheusLaunch, writeAlertmanagerConfig, writePrometheusFiles} from './monitoring-node.js'
import {formatNamenode, hdfsLaunch, isNamenodeFormatted, waitForDatanode, waitForNamenode, writeHadoopConfig} from './hdfs-node.js'
import {requireSpark, sparkLaunch, waitForSparkMaster, waitForSparkWorker, type SparkInstall} from './spark-node.js'
import {readRuntimeState, writeRuntimeState, type RuntimeState} from './state.js'
import type {ProgressListener} from '../progress.js'

export type {ProgressEvent, ProgressListener} from '../progress.js'

export const MIN_FREE_BYTES = 1024 ** 3
export {profileForLayout}

export async function progressStep<T>(
  onProgress: ProgressListener,
  id: string,
  label: string,
  fn: () => Promise<T>,
  detail?: (value: T) => string | undefined,
): Promise<T> {
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
  /**
   * Runs once the brokers of both clusters answer, before the services that
   * log in to them start (infra up applies the topics and ACLs here: a
   * Connect or MirrorMaker herder refused at start dies while its JVM lives on).
   */
  onBrokersUp?: (layout: RuntimeLayout) => Promise<void>
}

export interface StartResult {
  state: RuntimeState
  alreadyRunning: boolean
  started: string[]
  /** Services that were frozen (SIGSTOP) and got SIGCONT. */
  thawed: string[]
}

/** Two services of one runtime on one port: the second would die at start with a bind error far from the flag that caused it. */
function assertDistinctPorts(layout: RuntimeLayout): void {
  const owners = new Map<number, string>()
  for (const node of buildServiceGraph(layout))
    for (const [name, port] of Object.entries(node.ports)) {
      const owner = owners.get(port)
      if (owner)
        throw new MktError(
          `Port ${port} would serve both ${owner} and ${node.name} (${name}).`,
          `Move one of them: ${node.portFlag} sets ${node.name}'s ports (brokers take two ports each, the exporters six from --exporter-port, Spark four from --spark-port, HDFS five from --hdfs-port).`,
          'usage',
        )
      owners.set(port, `${node.name} (${name})`)
    }
}

/** Saved layout + explicit overrides; refuses changes a running or existing runtime cannot take. */
export function planLayout(stateDir: string, saved: RuntimeLayout | undefined, overrides: LayoutOverrides, running: boolean): RuntimeLayout {
  // A new full stack is production-like: three brokers unless asked otherwise.
  const brokers = !saved && overrides.stack === 'full' && overrides.brokers === undefined ? {brokers: 3 as const} : {}
  const layout: RuntimeLayout = {...DEFAULT_LAYOUT, ...saved, ...brokers, ...overrides, stateDir}
  if (layout.stack === 'full' && layout.security !== 'sasl_ssl')
    throw new MktError(
      'The full stack runs secure only: MirrorMaker 2, Connect and the analytics cluster log in as their own principals.',
      'Leave out --insecure, or use --stack core for a plaintext runtime.',
      'usage',
    )
  assertDistinctPorts(layout)
  if (!saved) return layout
  if (saved.stack === 'full' && layout.stack === 'core')
    throw new MktError(
      `The runtime in ${stateDir} runs the full stack; it cannot go back to core.`,
      'Run `mkt infra up` without --stack to keep it, or `mkt infra down --purge` to delete it first.',
      'usage',
    )
  if (layout.brokers !== saved.brokers) {
    throw new MktError(
      `The runtime in ${stateDir} was created with ${saved.brokers} broker(s); it cannot be restarted with ${layout.brokers}.`,
      'Run `mkt infra down --purge` to delete it first, or use another --state-dir.',
      'usage',
    )
  }
  if (layout.security !== saved.security) {
    const was = saved.security === 'sasl_ssl' ? 'secure (TLS, SASL, ACLs)' : 'insecure (plaintext)'
    throw new MktError(
      `The runtime in ${stateDir} was created ${was}; it cannot be restarted ${layout.security === 'sasl_ssl' ? 'secure' : 'with --insecure'}.`,
      'Run `mkt infra down --purge` to delete it first, or use another --state-dir.',
      'usage',
    )
  }
  const moved = (
    [
      'kafkaPort',
      'registryPort',
      'host',
      'analyticsPort',
      'connectPort',
      'mirrorPort',
      'metricsPort',
      'prometheusPort',
      'alertmanagerPort',
      'sparkPort',
      'hdfsPort',
    ] as const
  ).filter((k) => layout[k] !== saved[k])
  if (running && moved.length > 0) {
    throw new MktError(
      `The runtime in ${stateDir} is running on ${saved.host}:${saved.kafkaPort} (registry ${saved.registryPort}); it cannot move while running.`,
      'Run `mkt infra down` first, then `mkt infra up` with the new ports.',
      'usage',
    )
  }
  return layout
}

/** What launching a node needs: the runtime it belongs to, Java, the resolved artifact directories and (Spark nodes) the pyspark they run from. */
export interface NodeContext {
  state: RuntimeState
  java: string
  artifacts: Partial<Record<ArtifactName, string>>
  spark?: SparkInstall
}

function isSpark(kind: ServiceKind): kind is 'spark-master' | 'spark-worker' {
  return kind === 'spark-master' || kind === 'spark-worker'
}

function isHdfs(kind: ServiceKind): kind is 'hdfs-namenode' | 'hdfs-datanode' {
  return kind === 'hdfs-namenode' || kind === 'hdfs-datanode'
}

/** The pyspark Spark nodes run from, when any of these nodes is one; refused (with the setup command) before anything starts. */
export async function sparkFor(nodes: ServiceNode[]): Promise<SparkInstall | undefined> {
  return nodes.some((n) => isSpark(n.kind)) ? requireSpark() : undefined
}

/** The artifact a kind of node runs from. */
export function nodeArtifact(kind: ServiceKind): ArtifactName {
  if (isHdfs(kind)) return 'hadoop'
  return kind === 'registry' ? 'apicurio' : 'kafka'
}

function requireArtifact(context: NodeContext, name: ArtifactName, node: ServiceNode): string {
  const dir = context.artifacts[name]
  if (!dir) throw new Error(`the ${name} artifact was not resolved before starting ${node.name}`)
  return dir
}

function artifactDirFor(context: NodeContext, node: ServiceNode): string {
  return requireArtifact(context, nodeArtifact(node.kind), node)
}

/** Connect's plugins, each in its own folder under plugin.path. */
const CONNECT_PLUGINS: Array<{folder: string; artifact: ArtifactName}> = [
  {folder: 'connect-file', artifact: 'connectFile'},
  {folder: 'apicurio-converter', artifact: 'apicurioConverter'},
  {folder: 'connect-json-transform', artifact: 'connectJsonTransform'},
]

/** Every artifact a node of this kind needs: its runtime, and Connect's plugins (Prometheus and Alertmanager are system packages, Spark comes with pyspark). */
export function nodeArtifacts(kind: ServiceKind): ArtifactName[] {
  if (isMonitoring(kind) || isSpark(kind)) return []
  if (kind === 'registry' || isHdfs(kind)) return [nodeArtifact(kind)]
  return kind === 'connect' ? ['kafka', 'jmxExporter', ...CONNECT_PLUGINS.map((p) => p.artifact)] : [nodeArtifact(kind), 'jmxExporter']
}

/**
 * Launches one node's process the way `infra up` does, without waiting for
 * it: a broker's server.properties is regenerated from the layout and its
 * storage formatted on first start; same data dir, log and pid file.
 */
export async function launchNode(context: NodeContext, node: ServiceNode): Promise<ProcessRecord> {
  const {layout} = context.state
  if (node.kind === 'prometheus')
    return startProcess(
      node.dataDir,
      prometheusLaunch(monitoringBinary('prometheus'), layout, node, writePrometheusFiles(layout, node, buildServiceGraph(layout))),
    )
  if (node.kind === 'alertmanager')
    return startProcess(node.dataDir, alertmanagerLaunch(monitoringBinary('alertmanager'), layout, node, writeAlertmanagerConfig(node)))
  if (isSpark(node.kind)) {
    if (!context.spark) throw new Error(`no pyspark was found before starting ${node.name}`)
    return startProcess(node.dataDir, sparkLaunch(context.spark, context.java, layout, node))
  }
  const exported = (launch: LaunchSpec): LaunchSpec => withJmxAgent(launch, requireArtifact(context, 'jmxExporter', node), node, layout.host)
  const dir = artifactDirFor(context, node)
  if (node.kind === 'kafka') {
    const cluster = node.cluster ?? 'main'
    const clusterId = cluster === 'analytics' ? context.state.analyticsClusterId : context.state.clusterId
    if (!clusterId) throw new Error(`no cluster id recorded for the ${cluster} cluster`)
    const index = clusterNodes(layout, cluster).findIndex((b) => b.name === node.name)
    const secure = layout.security === 'sasl_ssl'
    const files = writeKafkaConfig(layout, node, index, secure ? nodeSecurity(layout, node) : undefined)
    if (!isFormatted(node)) {
      const format = formatTool(clusterId, files.properties, secure ? bootstrapUsers(layout.stateDir) : [])
      await runJavaTool(context.java, toolJvmArgs(dir, node, layout.stateDir, files.log4j), format, {secretsDir: secretsDir(layout.stateDir)})
    }
    return startProcess(node.dataDir, exported(kafkaLaunch(context.java, dir, node, layout.stateDir, files)))
  }
  if (isHdfs(node.kind)) {
    const files = writeHadoopConfig(layout, node)
    if (node.kind === 'hdfs-namenode' && !isNamenodeFormatted(layout)) await formatNamenode(context.java, dir, node, layout, context.state.clusterId, files)
    return startProcess(node.dataDir, hdfsLaunch(context.java, dir, node, layout, files))
  }
  if (node.kind === 'mirror')
    return startProcess(node.dataDir, exported(mirrorLaunch(context.java, dir, node, layout.stateDir, writeMirrorConfig(layout, node))))
  if (node.kind === 'connect') {
    const plugins = Object.fromEntries(CONNECT_PLUGINS.map((p) => [p.folder, requireArtifact(context, p.artifact, node)]))
    return startProcess(node.dataDir, exported(connectLaunch(context.java, dir, node, layout, writeConnectConfig(layout, node, plugins))))
  }
  return startProcess(node.dataDir, registryLaunch(context.java, registryJar(dir), layout, node))
}

const SERVICE_LABELS: Record<ServiceKind, string> = {
  kafka: 'Starting Kafka',
  registry: 'Starting Apicurio Registry',
  mirror: 'Starting MirrorMaker 2 (main → analytics)',
  connect: 'Starting Kafka Connect (distributed)',
  prometheus: 'Starting Prometheus',
  alertmanager: 'Starting Alertmanager',
  'hdfs-namenode': 'Starting the HDFS NameNode',
  'hdfs-datanode': 'Starting the HDFS DataNode',
  'spark-master': 'Starting the Spark master',
  'spark-worker': 'Starting the Spark worker',
}

function isMonitoring(kind: ServiceKind): kind is 'prometheus' | 'alertmanager' {
  return kind === 'prometheus' || kind === 'alertmanager'
}

/** Waits until a service that is not a broker answers. */
function waitForService(layout: RuntimeLayout, node: ServiceNode, timeoutMs: number): Promise<void> {
  if (node.kind === 'registry') return waitForRegistry(layout, node, timeoutMs)
  if (node.kind === 'connect') return waitForHttp(node, `${connectUrl(layout)}/connectors`, timeoutMs)
  if (isMonitoring(node.kind)) return waitForHttp(node, `http://${layout.host}:${node.ports.http}/-/ready`, timeoutMs)
  const peer = (name: string) => buildServiceGraph(layout).find((n) => n.name === name)!
  if (node.kind === 'hdfs-namenode') {
    const datanode = peer(DATANODE)
    return waitForNamenode(layout, node, timeoutMs, {datanodeRunning: processState(datanode.dataDir, datanode.name).state === 'running'})
  }
  if (node.kind === 'hdfs-datanode') return waitForDatanode(layout, node, peer(NAMENODE), timeoutMs)
  if (node.kind === 'spark-master') return waitForSparkMaster(layout, node, timeoutMs)
  if (node.kind === 'spark-worker') return waitForSparkWorker(layout, node, peer(SPARK_MASTER), timeoutMs)
  if (node.kind === 'mirror') {
    const since = Date.parse(processState(node.dataDir, node.name).record?.startedAt ?? new Date().toISOString())
    return waitForHeartbeat(node, profileForLayout(layout, 'local', ADMIN_PRINCIPAL, 'analytics'), since, timeoutMs)
  }
  throw new Error(`${node.name} is a broker`)
}

/** Ready when the registry answers its health check; then sets the global compatibility level the Confluent serializers need (stored in the registry's DB). */
export async function waitForRegistry(layout: RuntimeLayout, node: ServiceNode, timeoutMs: number): Promise<void> {
  await waitForHttp(node, registryHealthUrl(layout, node), timeoutMs)
  await registryRequest(profileForLayout(layout), 'PUT', '/config', {compatibility: 'BACKWARD'})
}

/**
 * Waits for brokers just launched. One that answers but refuses every login,
 * the admin's included, is a clear error at once rather than a timeout two
 * minutes later (CI met it when Kafka 3.9 lost its SCRAM users on a restart:
 * see metadata.log.max.snapshot.interval.ms in kafka-node.ts).
 */
async function brokersReady<T>(context: NodeContext, brokers: ServiceNode[], wait: () => Promise<T>): Promise<T> {
  return wait().catch((error: Error) => {
    if (!(error instanceof LoginsRefused)) throw error
    const names = brokers.map((b) => b.name).join(', ')
    const log = logFile(brokers[0]!.dataDir)
    throw new MktError(
      `${names} ${brokers.length > 1 ? 'run but refuse' : 'runs but refuses'} every login, the admin's included. The end of ${brokers[0]!.name}'s log (${log}):\n${tailFile(log, 15)}`,
      `Check that ${context.state.layout.stateDir}/secrets holds the passwords the cluster was created with (\`mkt users list\` as the admin, once it answers); \`mkt infra logs ${brokers[0]!.name}\` shows the whole log.`,
      'infra',
    )
  })
}

/**
 * Starts one node exactly as `infra up` starts it and waits until it
 * answers: a broker on its own client port (Kafka admin requests, with the
 * brokers that are running registered and a controller elected), the
 * registry on its health URL. Other nodes are not touched.
 */
export async function startNode(context: NodeContext, node: ServiceNode, timeoutMs: number): Promise<ProcessRecord> {
  const record = await launchNode(context, node)
  const {layout} = context.state
  if (node.kind === 'kafka') {
    const cluster = node.cluster ?? 'main'
    const alone: Profile = {...profileForLayout(layout, 'local', ADMIN_PRINCIPAL, cluster), brokers: [`${layout.host}:${node.ports.client}`]}
    const peers = clusterNodes(layout, cluster)
    const expected = peers.filter((b) => b.name === node.name || processState(b.dataDir, b.name).state === 'running').length
    await brokersReady(context, [node], () => waitForKafka(alone, [node], timeoutMs, expected))
  } else {
    await waitForService(layout, node, timeoutMs)
  }
  return record
}

/** SIGCONT to every frozen node, so that it answers again (and can be waited for). */
function thawFrozen(graph: ServiceNode[], onProgress: ProgressListener): string[] {
  const thawed: string[] = []
  for (const node of graph) {
    const {state, record} = processState(node.dataDir, node.name)
    if (state !== 'frozen' || !record) continue
    sendSignal(record.pid, 'SIGCONT')
    thawed.push(node.name)
    onProgress({type: 'note', message: `${node.name} was frozen (SIGSTOP); sent it SIGCONT.`})
  }
  return thawed
}

/** Starts whatever part of the runtime is not running (and thaws what is frozen), waiting until each service answers. */
export async function startLocalRuntime(options: StartOptions): Promise<StartResult> {
  const onProgress = options.onProgress ?? (() => {})
  const timeoutMs = options.timeoutMs ?? 120_000
  const saved = readRuntimeState(options.stateDir)
  const anyRunning = saved ? buildServiceGraph(saved.layout).some((n) => isAlive(processState(n.dataDir, n.name).state)) : false
  const layout = planLayout(options.stateDir, saved?.layout, options.overrides ?? {}, anyRunning)
  const graph = buildServiceGraph(layout)
  const thawed = thawFrozen(graph, onProgress)
  const down = graph.filter((n) => !isAlive(processState(n.dataDir, n.name).state))
  if (saved && down.length === 0) return {state: saved, alreadyRunning: true, started: [], thawed}

  const java = await progressStep(
    onProgress,
    'java',
    'Checking Java',
    () => checkJava(17),
    (j) => `Java ${j.version}`,
  )
  checkDiskSpace(layout.stateDir, MIN_FREE_BYTES)
  // A missing Prometheus, Alertmanager or pyspark is refused before anything starts, not half-way.
  for (const node of down) if (isMonitoring(node.kind)) monitoringBinary(node.kind)
  const spark = await sparkFor(down)
  // A service killed a moment ago may still hold its ports for a little while.
  await waitForPortsFree(
    layout.host,
    down.filter((n) => processState(n.dataDir, n.name).state === 'crashed'),
    15_000,
  )
  await assertPortsFree(layout.host, down)
  const needed = [...new Set(graph.flatMap((n) => nodeArtifacts(n.kind)))]
  const resolved = await progressStep(
    onProgress,
    'artifacts',
    layout.stack === 'full' ? 'Resolving Kafka, Connect plugins, Apicurio and Hadoop from Maven Central' : 'Resolving Kafka and Apicurio from Maven Central',
    () => Promise.all(needed.map((name) => resolveArtifact(name))),
    (a) => (a.some((x) => x.downloaded) ? 'downloaded' : 'cached'),
  )

  const created: RuntimeState = saved
    ? {...saved, layout}
    : {version: 1, runtime: 'local', layout, clusterId: newClusterId(), createdAt: new Date().toISOString()}
  // The analytics cluster is a KRaft cluster of its own; a core runtime grown to the full stack gets its id now.
  const state: RuntimeState = layout.stack === 'full' && !created.analyticsClusterId ? {...created, analyticsClusterId: newClusterId()} : created
  writeRuntimeState(state)
  if (layout.security === 'sasl_ssl') {
    await progressStep(
      onProgress,
      'certs',
      'Checking certificates and credentials',
      async () => {
        bootstrapUsers(layout.stateDir)
        return ensureRuntimeCertificates(layout)
      },
      (c) => (c.created.length > 0 ? `created ${c.created.length} file(s)` : 'kept'),
    )
  }
  const context: NodeContext = {
    state,
    java: java.bin,
    artifacts: Object.fromEntries(resolved.map((r) => [r.name, r.dir])),
    ...(spark ? {spark} : {}),
  }
  const isDown = (n: ServiceNode) => down.some((d) => d.name === n.name)

  for (const wave of startOrder(graph)) {
    for (const cluster of ['main', 'analytics'] as const) {
      const brokers = wave.filter((n) => n.kind === 'kafka' && (n.cluster ?? 'main') === cluster)
      if (brokers.length === 0) continue
      const nodes = `${brokers.length} node${brokers.length > 1 ? 's' : ''}, KRaft`
      await progressStep(
        onProgress,
        `kafka-${cluster}`,
        cluster === 'main' ? `Starting Kafka (${nodes})` : `Starting the analytics cluster (${nodes})`,
        async () => {
          await Promise.all(brokers.filter(isDown).map((node) => launchNode(context, node)))
          return brokersReady(context, brokers, () => waitForKafka(profileForLayout(layout, 'local', ADMIN_PRINCIPAL, cluster), brokers, timeoutMs))
        },
        (info) => `controller ${info.controller}`,
      )
    }
    if (wave.some((n) => n.kind === 'kafka')) await options.onBrokersUp?.(layout)
    for (const node of wave.filter((n) => n.kind !== 'kafka')) {
      await progressStep(onProgress, node.name, SERVICE_LABELS[node.kind], async () => {
        if (isDown(node)) await launchNode(context, node)
        await waitForService(layout, node, timeoutMs)
      })
    }
  }
  return {state, alreadyRunning: false, started: down.map((n) => n.name), thawed}
}

export interface StopResult {
  stopped: Array<{name: string; result: 'stopped' | 'killed' | 'not-running'}>
  purged: boolean
}

/** Stops in reverse start order: dependents first, brokers last (all at once, so the quorum ends together). */
export async function stopLocalRuntime(
  stateDir: string,
  options: {purge?: boolean; timeoutMs?: number; onProgress?: ProgressListener} = {},
): Promise<StopResult> {
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
    const running = wave.filter((n) => isAlive(processState(n.dataDir, n.name).state))
    if (running.length === 0) {
      stopped.push(...wave.map((n) => ({name: n.name, result: 'not-running' as const})))
      continue
    }
    await progressStep(
      onProgress,
      `stop-${wave[0]!.name}`,
      `Stopping ${running.map((n) => n.name).join(', ')}`,
      async () => {
        const results = await Promise.all(wave.map(async (n) => ({name: n.name, result: await stopProcess(n.dataDir, n.name, timeoutMs)})))
        stopped.push(...results)
        return results
      },
      (results) => (results.some((r) => r.result === 'killed') ? 'killed after timeout' : 'graceful'),
    )
  }
  if (options.purge) {
    await progressStep(onProgress, 'purge', `Deleting data in ${stateDir}`, async () => fs.rmSync(stateDir, {recursive: true, force: true}))
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
      ...(isAlive(state) && record
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
