import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {
  buildServiceGraph,
  DEFAULT_LAYOUT,
  hdfsClientConf,
  hdfsUri,
  sparkClusterConf,
  sparkMasterUrl,
  sparkMasterWebUrl,
  startOrder,
  type RuntimeLayout,
} from '../../src/infra/graph.js'
import {hdfsLaunch, renderHadoopTemplate, writeHadoopConfig} from '../../src/infra/hdfs-node.js'
import {planLayout} from '../../src/infra/local-runtime.js'
import {sparkLaunch} from '../../src/infra/spark-node.js'
import {readRuntimeState, stateFile} from '../../src/infra/state.js'
import {composePath} from '../../src/package-root.js'

const full: RuntimeLayout = {...DEFAULT_LAYOUT, brokers: 3, stack: 'full', stateDir: '/s'}
const LAKE = ['hdfs-namenode', 'hdfs-datanode', 'spark-master', 'spark-worker']

/** The text of a <property> of a rendered Hadoop XML file. */
function property(xml: string, name: string): string | undefined {
  return new RegExp(`<name>${name.replaceAll('.', '\\.')}</name>\\s*<value>([^<]*)</value>`).exec(xml)?.[1]
}

const temps: string[] = []
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true})
})
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-lake-'))
  temps.push(dir)
  return dir
}

describe('the Spark cluster and the HDFS lake (full stack)', () => {
  it('runs a NameNode, a DataNode after it, a Spark master and a worker after it, each on its own ports', () => {
    const graph = buildServiceGraph(full)
    const lake = graph.filter((n) => LAKE.includes(n.name))
    expect(lake.map((n) => [n.name, n.kind, n.ports, n.dependsOn])).toEqual([
      ['hdfs-namenode', 'hdfs-namenode', {rpc: 8020, http: 8021}, ['prometheus']],
      ['hdfs-datanode', 'hdfs-datanode', {data: 8022, ipc: 8023, http: 8024}, ['hdfs-namenode', 'prometheus']],
      ['spark-master', 'spark-master', {rpc: 7077, http: 7078}, ['prometheus']],
      ['spark-worker', 'spark-worker', {rpc: 7079, http: 7080}, ['spark-master', 'prometheus']],
    ])
    for (const node of lake) expect(node.dataDir).toBe(`/s/${node.name}`)
    const waves = startOrder(graph).map((w) => w.map((n) => n.name))
    const wave = (name: string) => waves.findIndex((w) => w.includes(name))
    expect(wave('hdfs-datanode')).toBeGreaterThan(wave('hdfs-namenode'))
    expect(wave('spark-worker')).toBeGreaterThan(wave('spark-master'))
    const ports = graph.flatMap((n) => Object.values(n.ports))
    expect(new Set(ports).size, 'every port of the default full stack is distinct').toBe(ports.length)
    expect(sparkMasterUrl(full)).toBe('spark://127.0.0.1:7077')
    expect(sparkMasterWebUrl(full)).toBe('http://127.0.0.1:7078')
    expect(hdfsUri(full)).toBe('hdfs://127.0.0.1:8020')
    expect(hdfsClientConf(full)).toEqual({'fs.defaultFS': 'hdfs://127.0.0.1:8020', 'dfs.replication': '1'})
    expect(sparkClusterConf(full)).toEqual({
      'spark.master': 'spark://127.0.0.1:7077',
      'spark.driver.host': '127.0.0.1',
      'spark.driver.bindAddress': '127.0.0.1',
      'spark.hadoop.fs.defaultFS': 'hdfs://127.0.0.1:8020',
      'spark.hadoop.dfs.replication': '1',
    })
  })

  it('has no lake in the core stack', () => {
    const names = buildServiceGraph({...full, stack: 'core'}).map((n) => n.name)
    for (const name of LAKE) expect(names).not.toContain(name)
  })

  it('moves the lake with --spark-port and --hdfs-port, refuses clashes naming the flag, and keeps the ports of a running runtime', () => {
    const moved = planLayout('/s', undefined, {stack: 'full', sparkPort: 17077, hdfsPort: 18020}, false)
    const ports = Object.fromEntries(buildServiceGraph(moved).map((n) => [n.name, n.ports]))
    expect(ports['spark-worker']).toEqual({rpc: 17079, http: 17080})
    expect(ports['hdfs-datanode']).toEqual({data: 18022, ipc: 18023, http: 18024})
    expect(() => planLayout('/s', undefined, {stack: 'full', sparkPort: 8079}, false)).toThrow(
      /^Port 8081 would serve both registry \(http\) and spark-worker \(rpc\)\.$/,
    )
    expect(() => planLayout('/s', undefined, {stack: 'full', hdfsPort: 9088}, false)).toThrow(
      /Port 9090 would serve both prometheus \(http\) and hdfs-datanode \(data\)/,
    )
    try {
      planLayout('/s', undefined, {stack: 'full', hdfsPort: 9088}, false)
    } catch (error) {
      expect((error as {suggestion?: string}).suggestion).toContain('--hdfs-port')
    }
    const saved = {...full, security: 'sasl_ssl' as const}
    expect(() => planLayout('/s', saved, {hdfsPort: 18020}, true)).toThrow(/cannot move while running/)
    expect(() => planLayout('/s', saved, {sparkPort: 17077}, true)).toThrow(/cannot move while running/)
    expect(planLayout('/s', saved, {hdfsPort: 18020}, false).hdfsPort).toBe(18020)
  })

  it('loads and plans a runtime saved before the lake existed, on the default lake ports', () => {
    const stateDir = tempDir()
    const {sparkPort: _spark, hdfsPort: _hdfs, ...older} = {...full, stateDir, security: 'sasl_ssl' as const}
    fs.writeFileSync(stateFile(stateDir), JSON.stringify({version: 1, runtime: 'local', layout: older, clusterId: 'c', createdAt: '2026-01-01T00:00:00Z'}))
    const saved = readRuntimeState(stateDir)!
    expect(saved.layout).toMatchObject({sparkPort: 7077, hdfsPort: 8020})
    // Running and asked for nothing new: nothing counts as moved, so the missing lake can be started next to it.
    const layout = planLayout(stateDir, saved.layout, {}, true)
    expect(buildServiceGraph(layout).filter((n) => LAKE.includes(n.name))).toHaveLength(4)
    // Even a layout read without the defaults filled in plans.
    expect(planLayout(stateDir, older as unknown as RuntimeLayout, {}, false)).toMatchObject({sparkPort: 7077, hdfsPort: 8020})
  })

  it("renders compose/hadoop's core-site.xml and hdfs-site.xml with the layout's ports and dirs, on the runtime's host", () => {
    const stateDir = tempDir()
    const layout: RuntimeLayout = {...full, stateDir, hdfsPort: 18020}
    const [namenode, datanode] = buildServiceGraph(layout).filter((n) => n.kind === 'hdfs-namenode' || n.kind === 'hdfs-datanode')
    const files = writeHadoopConfig(layout, datanode!)
    expect(files.confDir).toBe(path.join(stateDir, 'hdfs-datanode', 'conf'))
    const core = fs.readFileSync(path.join(files.confDir, 'core-site.xml'), 'utf8')
    const hdfs = fs.readFileSync(path.join(files.confDir, 'hdfs-site.xml'), 'utf8')
    expect(core).not.toMatch(/\$\{MKT_\w+\}/)
    expect(hdfs).not.toMatch(/\$\{MKT_\w+\}/)
    expect(hdfs).toContain('<!-- Rendered by mkt infra up from compose/hadoop/hdfs-site.xml; regenerated on every start. -->')
    expect(property(core, 'fs.defaultFS')).toBe('hdfs://127.0.0.1:18020')
    expect(property(core, 'hadoop.tmp.dir')).toBe(path.join(stateDir, 'hdfs-datanode', 'tmp'))
    expect(property(hdfs, 'dfs.replication')).toBe('1')
    expect(property(hdfs, 'dfs.namenode.name.dir')).toBe(`file://${path.join(stateDir, 'hdfs-namenode', 'name')}`)
    expect(property(hdfs, 'dfs.datanode.data.dir')).toBe(`file://${path.join(stateDir, 'hdfs-datanode', 'data')}`)
    expect(property(hdfs, 'dfs.namenode.rpc-address')).toBe(`127.0.0.1:${namenode!.ports.rpc}`)
    expect(property(hdfs, 'dfs.namenode.http-address')).toBe(`127.0.0.1:${namenode!.ports.http}`)
    expect(property(hdfs, 'dfs.datanode.address')).toBe(`127.0.0.1:${datanode!.ports.data}`)
    expect(property(hdfs, 'dfs.datanode.ipc.address')).toBe(`127.0.0.1:${datanode!.ports.ipc}`)
    expect(property(hdfs, 'dfs.datanode.http.address')).toBe(`127.0.0.1:${datanode!.ports.http}`)
    expect(property(hdfs, 'dfs.datanode.hostname')).toBe('127.0.0.1')
    // Every address in the file is on the runtime's host: nothing binds to 0.0.0.0.
    for (const [, value] of hdfs.matchAll(/<value>([^<]*:\d+)<\/value>/g)) expect(value).toMatch(/^127\.0\.0\.1:\d+$/)

    const launch = hdfsLaunch('java', '/jars', datanode!, layout, files)
    expect(launch.args).toContain('-Dmkt.service=hdfs-datanode')
    expect(launch.args).toContain(`${files.confDir}:/jars/*`)
    expect(launch.args.at(-1)).toBe('org.apache.hadoop.hdfs.server.datanode.DataNode')
    expect(launch.args.filter((a) => a.startsWith('-Xmx'))).toEqual(['-Xmx256m'])
  })

  it('refuses a template that names a value mkt does not set, and leaves Hadoop its own variables', () => {
    expect(renderHadoopTemplate('<value>${hadoop.tmp.dir}/x ${MKT_HOST}</value>', {MKT_HOST: 'h'})).toBe('<value>${hadoop.tmp.dir}/x h</value>')
    expect(() => renderHadoopTemplate('${MKT_NOPE}', {}, 'f.xml')).toThrow(/f\.xml names \$\{MKT_NOPE\}/)
    for (const file of ['core-site.xml', 'hdfs-site.xml']) expect(fs.readFileSync(composePath('hadoop', file), 'utf8')).toContain('${MKT_')
  })

  it("starts the master and the worker through Spark's launcher with the venv's Python, bound to the runtime's host", () => {
    const stateDir = tempDir()
    const layout: RuntimeLayout = {...full, stateDir}
    const [master, worker] = buildServiceGraph(layout).filter((n) => n.kind === 'spark-master' || n.kind === 'spark-worker')
    const spark = {python: '/venv/bin/python', version: '4.1.1', home: '/venv/pyspark'}
    const m = sparkLaunch(spark, '/jdk/bin/java', layout, master!)
    expect([m.command, ...m.args]).toEqual([
      'bash',
      '/venv/pyspark/bin/spark-class',
      'org.apache.spark.deploy.master.Master',
      '--host',
      '127.0.0.1',
      '--port',
      '7077',
      '--webui-port',
      '7078',
    ])
    expect(m.env).toMatchObject({
      SPARK_HOME: '/venv/pyspark',
      SPARK_LOCAL_IP: '127.0.0.1',
      PYSPARK_PYTHON: '/venv/bin/python',
      JAVA_HOME: '/jdk',
      SPARK_LOG_DIR: path.join(stateDir, 'spark-master', 'logs'),
    })
    expect(m.env.SPARK_DAEMON_JAVA_OPTS).toContain('-Dmkt.service=spark-master')
    const w = sparkLaunch(spark, 'java', layout, worker!)
    expect(w.args.slice(1)).toEqual([
      'org.apache.spark.deploy.worker.Worker',
      '--host',
      '127.0.0.1',
      '--port',
      '7079',
      '--webui-port',
      '7080',
      '--cores',
      '2',
      '--memory',
      '2g',
      '--work-dir',
      path.join(stateDir, 'spark-worker', 'work'),
      'spark://127.0.0.1:7077',
    ])
    expect(w.env.SPARK_WORKER_DIR).toBe(path.join(stateDir, 'spark-worker', 'work'))
    expect(w.env.JAVA_HOME).toBeUndefined()
  })
})
