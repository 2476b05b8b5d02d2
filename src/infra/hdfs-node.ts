import {execFile} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'
import {resolveArtifact} from './artifacts.js'
import {buildServiceGraph, DATANODE, hdfsUri, NAMENODE, type RuntimeLayout, type ServiceNode} from './graph.js'
import {checkJava} from './prerequisites.js'
import {logFile, processState, tailFile, type LaunchSpec} from './process.js'
import {waitFor} from './readiness.js'
import {readRuntimeState} from './state.js'

/** Where the NameNode keeps the namespace (fsimage, edits) and the DataNode the blocks. */
export function nameDir(layout: RuntimeLayout): string {
  return path.join(layout.stateDir, NAMENODE, 'name')
}

export function datanodeDataDir(layout: RuntimeLayout): string {
  return path.join(layout.stateDir, DATANODE, 'data')
}

/** The ${MKT_*} values of compose/hadoop's templates for one node of this layout. */
export function hadoopValues(layout: RuntimeLayout, node: Pick<ServiceNode, 'dataDir'>): Record<string, string> {
  const p = layout.hdfsPort
  return {
    MKT_HDFS_URI: hdfsUri(layout),
    MKT_NAMENODE_HOST: layout.host,
    MKT_DATANODE_HOST: layout.host,
    MKT_TMP_DIR: path.join(node.dataDir, 'tmp'),
    MKT_NAME_DIR: nameDir(layout),
    MKT_DATA_DIR: datanodeDataDir(layout),
    MKT_NAMENODE_RPC_PORT: String(p),
    MKT_NAMENODE_HTTP_PORT: String(p + 1),
    MKT_DATANODE_DATA_PORT: String(p + 2),
    MKT_DATANODE_IPC_PORT: String(p + 3),
    MKT_DATANODE_HTTP_PORT: String(p + 4),
  }
}

/** A template of compose/hadoop with its ${MKT_*} values filled; Hadoop's own ${...} variables stay. An unknown MKT_ name is a bug in the template. */
export function renderHadoopTemplate(template: string, values: Record<string, string>, file = 'template'): string {
  return template.replaceAll(/\$\{(MKT_\w+)\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`${file} names \${${name}}, which mkt does not set`)
    return value
  })
}

const HADOOP_FILES = ['core-site.xml', 'hdfs-site.xml'] as const

/** log4j for the daemons: their INFO to stdout (the service log), without a line for every file operation or HTTP request (readiness polls /jmx). */
const DAEMON_LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit=WARN
log4j.logger.org.apache.hadoop.hdfs.StateChange=WARN
log4j.logger.BlockStateChange=WARN
log4j.logger.org.apache.hadoop.hdfs.server.datanode.DataNode.clienttrace=WARN
log4j.logger.http.requests.namenode=WARN
log4j.logger.http.requests.datanode=WARN
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
`

/** log4j for the shell: only what went wrong, so stdout is the command's own output. */
const SHELL_LOG4J = `log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=%p %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
`

export interface HadoopFiles {
  /** The directory on the classpath that holds core-site.xml and hdfs-site.xml. */
  confDir: string
  log4j: string
}

/** Renders compose/hadoop's core-site.xml and hdfs-site.xml into <dataDir>/conf (afresh on every start, so an edit applies at the next one), with a log4j. */
export function writeHadoopConfig(layout: RuntimeLayout, node: Pick<ServiceNode, 'dataDir'>, log4j: string = DAEMON_LOG4J): HadoopFiles {
  return writeHadoopFiles(path.join(node.dataDir, 'conf'), hadoopValues(layout, node), 'mkt infra up', log4j)
}

/** compose/hadoop's files with these values, and a log4j, in confDir; `by` says who rendered them (a header line). */
export function writeHadoopFiles(confDir: string, values: Record<string, string>, by: string, log4j: string = DAEMON_LOG4J): HadoopFiles {
  fs.mkdirSync(confDir, {recursive: true})
  for (const file of HADOOP_FILES) {
    const text = renderHadoopTemplate(fs.readFileSync(composePath('hadoop', file), 'utf8'), values, `compose/hadoop/${file}`)
    const header = `<!-- Rendered by ${by} from compose/hadoop/${file}; regenerated on every start. -->`
    fs.writeFileSync(
      path.join(confDir, file),
      text.replace(/^(<\?xml[^>]*\?>\n)?/, (declaration) => `${declaration}${header}\n`),
    )
  }
  const log4jFile = path.join(confDir, 'log4j.properties')
  fs.writeFileSync(log4jFile, log4j)
  return {confDir, log4j: log4jFile}
}

function hadoopJvm(hadoopLibs: string, files: HadoopFiles, node: ServiceNode, stateDir: string): string[] {
  return [
    `-Dmkt.service=${node.name}`,
    `-Dmkt.state=${stateDir}`,
    `-Dlog4j.configuration=file:${files.log4j}`,
    `-Dhadoop.log.dir=${path.join(node.dataDir, 'logs')}`,
    '-Djava.net.preferIPv4Stack=true',
    '-Djava.awt.headless=true',
    '-cp',
    `${files.confDir}${path.delimiter}${hadoopLibs}/*`,
  ]
}

const MAIN_CLASS: Record<'hdfs-namenode' | 'hdfs-datanode', string> = {
  'hdfs-namenode': 'org.apache.hadoop.hdfs.server.namenode.NameNode',
  'hdfs-datanode': 'org.apache.hadoop.hdfs.server.datanode.DataNode',
}

export function hdfsLaunch(java: string, hadoopLibs: string, node: ServiceNode, layout: RuntimeLayout, files: HadoopFiles): LaunchSpec {
  if (node.kind !== 'hdfs-namenode' && node.kind !== 'hdfs-datanode') throw new Error(`${node.name} is not an HDFS node`)
  const heap = node.kind === 'hdfs-namenode' ? ['-Xms128m', '-Xmx512m'] : ['-Xms64m', '-Xmx256m']
  return {
    command: java,
    args: [...heap, ...hadoopJvm(hadoopLibs, files, node, layout.stateDir), MAIN_CLASS[node.kind]],
    env: {},
    cwd: node.dataDir,
  }
}

/** The NameNode has a namespace once `-format` wrote its VERSION file. */
export function isNamenodeFormatted(layout: RuntimeLayout): boolean {
  return fs.existsSync(path.join(nameDir(layout), 'current', 'VERSION'))
}

/**
 * Formats the NameNode's namespace (first start only): `NameNode -format
 * -nonInteractive`, its output appended to the service log. The HDFS
 * cluster id follows the runtime's, so a DataNode's blocks are recognisably
 * this runtime's.
 */
export async function formatNamenode(
  java: string,
  hadoopLibs: string,
  node: ServiceNode,
  layout: RuntimeLayout,
  clusterId: string,
  files: HadoopFiles,
): Promise<void> {
  const log = logFile(node.dataDir)
  const args = [
    '-Xmx256m',
    ...hadoopJvm(hadoopLibs, files, node, layout.stateDir),
    MAIN_CLASS['hdfs-namenode'],
    '-format',
    '-nonInteractive',
    '-clusterId',
    `CID-mkt-${clusterId}`,
  ]
  fs.appendFileSync(log, `\n===== mkt: formatting the namespace at ${new Date().toISOString()}\n`)
  await new Promise<void>((resolve, reject) => {
    execFile(java, args, {cwd: node.dataDir, timeout: 120_000, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) => {
      fs.appendFileSync(log, `${stdout}${stderr}`)
      if (!error) return resolve()
      reject(
        new MktError(
          `Formatting the HDFS namespace in ${nameDir(layout)} failed. The end of its log (${log}):\n${tailFile(log, 20)}`,
          `Fix the cause shown above and run \`mkt infra up\` again; \`mkt infra logs ${node.name}\` shows the whole log.`,
          'infra',
          {cause: error},
        ),
      )
    })
  })
}

interface JmxBeans {
  beans: Array<Record<string, unknown>>
}

/** One MBean of a Hadoop daemon's /jmx servlet, or a reason why not. */
async function jmxBean(baseUrl: string, query: string): Promise<Record<string, unknown> | string> {
  const response = await fetch(`${baseUrl}/jmx?qry=${encodeURIComponent(query)}`, {signal: AbortSignal.timeout(2000)})
  if (!response.ok) return `HTTP ${response.status} from ${baseUrl}/jmx`
  const bean = ((await response.json()) as JmxBeans).beans[0]
  return bean ?? `no ${query} bean yet`
}

function webUrl(layout: RuntimeLayout, port: number): string {
  return `http://${layout.host}:${port}`
}

/**
 * Ready when the NameNode's HTTP JMX says it is active (it then serves RPC)
 * and, when a DataNode runs (a NameNode restarted alone), out of safe mode:
 * that DataNode has reported its blocks again. Started before its DataNode
 * (`infra up`), leaving safe mode is the DataNode's readiness: with blocks
 * on disk the NameNode stays in it until they are reported.
 */
export async function waitForNamenode(layout: RuntimeLayout, node: ServiceNode, timeoutMs: number, options: {datanodeRunning?: boolean} = {}): Promise<void> {
  await waitFor([node], timeoutMs, async () => {
    const status = await jmxBean(webUrl(layout, node.ports.http!), 'Hadoop:service=NameNode,name=NameNodeStatus')
    if (typeof status === 'string') return status
    if (status.State !== 'active') return `NameNode state ${String(status.State)}`
    return options.datanodeRunning ? outOfSafeMode(layout, node) : true
  })
}

async function outOfSafeMode(layout: RuntimeLayout, namenode: ServiceNode): Promise<true | string> {
  const info = await jmxBean(webUrl(layout, namenode.ports.http!), 'Hadoop:service=NameNode,name=NameNodeInfo')
  if (typeof info === 'string') return info
  return info.Safemode ? `NameNode in safe mode: ${String(info.Safemode).split('\n')[0]}` : true
}

/** What a DataNode says of its link to the NameNode (DataNodeInfo's BPServiceActorInfo). */
interface ActorInfo {
  ActorState?: string
  LastBlockReport?: string | number
}

/**
 * Ready when this DataNode process (its own JMX answers) is registered and
 * heartbeating with the NameNode, and the NameNode counts a live DataNode
 * and is out of safe mode: every block it knows of has been reported, so
 * reads succeed. (A restarted DataNode is live at the NameNode under its old
 * registration for a while; its own JMX tells the new process apart.)
 */
export async function waitForDatanode(layout: RuntimeLayout, node: ServiceNode, namenode: ServiceNode, timeoutMs: number): Promise<void> {
  await waitFor([node, namenode], timeoutMs, async () => {
    const info = await jmxBean(webUrl(layout, node.ports.http!), 'Hadoop:service=DataNode,name=DataNodeInfo')
    if (typeof info === 'string') return info
    const actors = JSON.parse(String(info.BPServiceActorInfo ?? '[]')) as ActorInfo[]
    if (!actors.some((a) => a.ActorState === 'RUNNING')) return `DataNode not registered yet (${actors.map((a) => a.ActorState).join(', ') || 'no NameNode'})`
    const state = await jmxBean(webUrl(layout, namenode.ports.http!), 'Hadoop:service=NameNode,name=FSNamesystemState')
    if (typeof state === 'string') return state
    if (Number(state.NumLiveDataNodes ?? 0) < 1) return 'the NameNode counts no live DataNode yet'
    return outOfSafeMode(layout, namenode)
  })
}

export interface HdfsShellResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Hadoop's own shell against the runtime's HDFS: `java -cp <conf>:<hadoop
 * jars> org.apache.hadoop.fs.FsShell ...args`, which is what `hdfs dfs`
 * runs (e.g. ['-ls', '-R', '/mkt/lake']). Resolves with FsShell's exit code
 * and output, whatever the code; throws when there is no running HDFS.
 */
export async function hdfsShell(stateDir: string, args: string[], options: {timeoutMs?: number} = {}): Promise<HdfsShellResult> {
  const saved = readRuntimeState(stateDir)
  if (!saved) throw new MktError(`There is no local runtime in ${stateDir}.`, 'Start one with `mkt infra up --stack full`.', 'notFound')
  const namenode = buildServiceGraph(saved.layout).find((n) => n.name === NAMENODE)
  if (!namenode)
    throw new MktError(
      `The runtime in ${stateDir} runs the core stack, which has no HDFS.`,
      'Grow it with `mkt infra up --stack full` (the lake comes with the full stack).',
      'notFound',
    )
  const {state} = processState(namenode.dataDir, namenode.name)
  if (state !== 'running')
    throw new MktError(
      `${NAMENODE} is ${state}, so HDFS does not answer.`,
      state === 'frozen'
        ? `Thaw it with \`mkt infra kill ${NAMENODE} --signal CONT\`.`
        : 'Start it with `mkt infra up` (or `mkt infra restart hdfs-namenode`).',
      'notFound',
    )
  const [java, hadoop] = await Promise.all([checkJava(17), resolveArtifact('hadoop')])
  const files = writeHadoopConfig(saved.layout, {dataDir: path.join(namenode.dataDir, 'shell')}, SHELL_LOG4J)
  const jvm = [
    '-Xmx256m',
    `-Dlog4j.configuration=file:${files.log4j}`,
    '-Djava.net.preferIPv4Stack=true',
    '-cp',
    `${files.confDir}${path.delimiter}${hadoop.dir}/*`,
  ]
  return new Promise((resolve, reject) => {
    execFile(
      java.bin,
      [...jvm, 'org.apache.hadoop.fs.FsShell', ...args],
      {timeout: options.timeoutMs ?? 300_000, maxBuffer: 256 * 1024 * 1024},
      (error, stdout, stderr) => {
        if (!error) return resolve({code: 0, stdout, stderr})
        const code = (error as NodeJS.ErrnoException & {code?: unknown}).code
        if (typeof code === 'number') return resolve({code, stdout, stderr})
        reject(new MktError(`Could not run Hadoop's FsShell: ${error.message}`, undefined, 'infra', {cause: error}))
      },
    )
  })
}
