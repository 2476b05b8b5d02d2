import fs from 'node:fs'
import path from 'node:path'

import {MktError} from '../errors.js'
import {findSpark, type SparkInstall} from '../pyspark/env.js'
import {sparkMasterUrl, sparkMasterWebUrl, type RuntimeLayout, type ServiceNode} from './graph.js'
import type {LaunchSpec} from './process.js'
import {waitFor} from './readiness.js'

export type {SparkInstall}

/** What the worker offers the cluster's applications (this machine's cores; the executors' memory comes out of it). */
export const WORKER_CORES = 2
export const WORKER_MEMORY = '2g'
/** The master's and the worker's own JVMs: they schedule and supervise, the work runs in the executors. */
const DAEMON_MEMORY = '256m'

/**
 * The Spark of the analytics virtualenv, for the full stack's cluster; a
 * missing one is refused before anything starts, naming `mkt analytics setup`.
 */
export async function requireSpark(env = process.env): Promise<SparkInstall> {
  try {
    return await findSpark(env)
  } catch (error) {
    if (!(error instanceof MktError)) throw error
    const cause = /^[A-Z][a-z]/.test(error.message) ? `${error.message[0]!.toLowerCase()}${error.message.slice(1)}` : error.message
    throw new MktError(`The full stack's Spark cluster runs from the analytics virtualenv's pyspark: ${cause}`, error.suggestion, error.code, {cause: error})
  }
}

/**
 * The master or the worker through Spark's own launcher script
 * (bin/spark-class, which execs the JVM it computed). Started as `bash
 * spark-class …`, so the recorded command is the process's own until the
 * exec, and the JVM then carries the -Dmkt.service marker in
 * SPARK_DAEMON_JAVA_OPTS. Everything binds to the runtime's host
 * (SPARK_LOCAL_IP covers the web UIs and the executors); the master's REST
 * submission server (6066) is off.
 */
export function sparkLaunch(spark: SparkInstall, java: string, layout: RuntimeLayout, node: ServiceNode): LaunchSpec {
  if (node.kind !== 'spark-master' && node.kind !== 'spark-worker') throw new Error(`${node.name} is not a Spark node`)
  const conf = path.join(node.dataDir, 'conf')
  const work = path.join(node.dataDir, 'work')
  fs.mkdirSync(conf, {recursive: true})
  fs.mkdirSync(work, {recursive: true})
  const env: Record<string, string> = {
    SPARK_HOME: spark.home,
    // An empty conf dir of its own: no spark-env.sh or spark-defaults.conf from elsewhere changes the daemons.
    SPARK_CONF_DIR: conf,
    SPARK_LOG_DIR: path.join(node.dataDir, 'logs'),
    SPARK_LOCAL_IP: layout.host,
    SPARK_DAEMON_MEMORY: DAEMON_MEMORY,
    SPARK_DAEMON_JAVA_OPTS: `-Dmkt.service=${node.name} -Dmkt.state=${layout.stateDir}`,
    PYSPARK_PYTHON: spark.python,
    ...(path.isAbsolute(java) ? {JAVA_HOME: path.dirname(path.dirname(java))} : {}),
  }
  const spawn = (main: string, args: string[], extra: Record<string, string>): LaunchSpec => ({
    command: 'bash',
    args: [path.join(spark.home, 'bin', 'spark-class'), main, ...args],
    env: {...env, ...extra},
    cwd: node.dataDir,
  })
  if (node.kind === 'spark-master')
    return spawn('org.apache.spark.deploy.master.Master', ['--host', layout.host, '--port', String(node.ports.rpc), '--webui-port', String(node.ports.http)], {
      SPARK_MASTER_OPTS: '-Dspark.master.rest.enabled=false',
    })
  return spawn(
    'org.apache.spark.deploy.worker.Worker',
    [
      '--host',
      layout.host,
      '--port',
      String(node.ports.rpc),
      '--webui-port',
      String(node.ports.http),
      '--cores',
      String(WORKER_CORES),
      '--memory',
      WORKER_MEMORY,
      '--work-dir',
      work,
      sparkMasterUrl(layout),
    ],
    // Finished applications' directories (executor logs, their files) are deleted after a day.
    {SPARK_WORKER_DIR: work, SPARK_WORKER_OPTS: '-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.appDataTtl=86400'},
  )
}

/** The master's /json/: its state and its workers. */
export interface SparkMasterState {
  url: string
  status: string
  workers: Array<{id: string; host: string; port: number; state: string; cores: number; memory: number}>
  aliveworkers: number
}

async function getJson<T>(url: string): Promise<T | string> {
  const response = await fetch(url, {signal: AbortSignal.timeout(2000)})
  if (!response.ok) return `HTTP ${response.status} from ${url}`
  return (await response.json()) as T
}

/** The master's state (GET <web UI>/json/), or a reason why not. */
export function sparkMasterState(layout: RuntimeLayout): Promise<SparkMasterState | string> {
  return getJson<SparkMasterState>(`${sparkMasterWebUrl(layout)}/json/`)
}

/** Ready when the master's /json/ says ALIVE (a standby master of a recovery setup would say STANDBY). */
export async function waitForSparkMaster(layout: RuntimeLayout, node: ServiceNode, timeoutMs: number): Promise<void> {
  await waitFor([node], timeoutMs, async () => {
    const state = await sparkMasterState(layout)
    if (typeof state === 'string') return state
    return state.status === 'ALIVE' ? true : `master status ${state.status}`
  })
}

/**
 * Ready when this worker process (its own /json/ answers with its id) is
 * listed ALIVE by the master: registered, and offering its cores.
 */
export async function waitForSparkWorker(layout: RuntimeLayout, node: ServiceNode, master: ServiceNode, timeoutMs: number): Promise<void> {
  await waitFor([node, master], timeoutMs, async () => {
    const own = await getJson<{id: string}>(`http://${layout.host}:${node.ports.http}/json/`)
    if (typeof own === 'string') return own
    const state = await sparkMasterState(layout)
    if (typeof state === 'string') return state
    const listed = state.workers.find((w) => w.id === own.id)
    if (!listed) return `the master does not list ${own.id} yet`
    return listed.state === 'ALIVE' ? true : `the master lists ${own.id} as ${listed.state}`
  })
}
