/**
 * The runtime as data: which services run, on which ports, after which
 * others. `infra up/down/status` walk this graph; later capabilities (Connect,
 * MirrorMaker 2, Prometheus, the Spark cluster and the HDFS lake) join it as new nodes.
 */
export interface RuntimeLayout {
  brokers: 1 | 3
  host: string
  /** Client port of the first broker; broker i listens on kafkaPort + 2i, its controller on +1. */
  kafkaPort: number
  registryPort: number
  stateDir: string
  /** sasl_ssl: TLS, SCRAM users and ACLs (the default); plaintext: `infra up --insecure`, for quick experiments. */
  security: 'sasl_ssl' | 'plaintext'
  /** core: the main cluster and the registry; full: also the analytics cluster, MirrorMaker 2 and Kafka Connect (`infra up --stack full`). */
  stack: 'core' | 'full'
  /** Client port of the analytics cluster's node (its controller on +1); full stack only. */
  analyticsPort: number
  /** Kafka Connect's REST port; full stack only. */
  connectPort: number
  /** MirrorMaker 2's internal REST port (dedicated mode with exactly-once needs one); full stack only. */
  mirrorPort: number
  /** The JVMs' Prometheus exporters: broker i on metricsPort + i, analytics-1 on +3, Connect +4, MirrorMaker 2 +5. */
  metricsPort: number
  /** Prometheus's web port (API and UI); full stack only. */
  prometheusPort: number
  /** Alertmanager's web port (API and UI); full stack only. */
  alertmanagerPort: number
  /** The Spark master's port (spark://host:sparkPort); its web UI on +1, the worker on +2 and the worker's web UI on +3. Full stack only. */
  sparkPort: number
  /** The HDFS NameNode's RPC port (hdfs://host:hdfsPort); its web UI on +1, the DataNode's data transfer, IPC and web ports on +2, +3, +4. Full stack only. */
  hdfsPort: number
}

export type ServiceKind =
  'kafka' | 'registry' | 'mirror' | 'connect' | 'prometheus' | 'alertmanager' | 'hdfs-namenode' | 'hdfs-datanode' | 'spark-master' | 'spark-worker'
/** Which Kafka cluster a broker belongs to: the platform's, or the analytics copy MirrorMaker 2 feeds. */
export type ClusterName = 'main' | 'analytics'

export interface ServiceNode {
  name: string
  kind: ServiceKind
  /** Named ports, for status output and clash errors. */
  ports: Record<string, number>
  dependsOn: string[]
  /** The flag that moves this service's ports, for error messages. */
  portFlag: string
  dataDir: string
  /** Kafka nodes only. */
  cluster?: ClusterName
}

export const DEFAULT_LAYOUT: Omit<RuntimeLayout, 'stateDir'> = {
  brokers: 1,
  host: '127.0.0.1',
  kafkaPort: 9092,
  registryPort: 8081,
  security: 'sasl_ssl',
  stack: 'core',
  analyticsPort: 9192,
  connectPort: 8083,
  mirrorPort: 8084,
  metricsPort: 7071,
  prometheusPort: 9090,
  alertmanagerPort: 9099,
  // Spark's own defaults put the web UIs on 8080 and 8081 (the registry's): here they follow the master's port.
  sparkPort: 7077,
  // Hadoop's usual NameNode RPC port; its own defaults for the rest (9870, 9864-9867) are replaced by offsets from it.
  hdfsPort: 8020,
}

export function brokerName(index: number): string {
  return `kafka-${index + 1}`
}

export function brokerNodes(layout: RuntimeLayout): ServiceNode[] {
  return Array.from({length: layout.brokers}, (_, i) => ({
    name: brokerName(i),
    kind: 'kafka' as const,
    ports: {client: layout.kafkaPort + 2 * i, controller: layout.kafkaPort + 2 * i + 1, metrics: layout.metricsPort + i},
    dependsOn: [],
    portFlag: '--kafka-port',
    dataDir: `${layout.stateDir}/${brokerName(i)}`,
    cluster: 'main' as const,
  }))
}

export const ANALYTICS_NODE = 'analytics-1'

/** The analytics cluster: one combined broker+controller node of its own KRaft cluster (full stack only). */
export function analyticsNodes(layout: RuntimeLayout): ServiceNode[] {
  if (layout.stack !== 'full') return []
  return [
    {
      name: ANALYTICS_NODE,
      kind: 'kafka',
      ports: {client: layout.analyticsPort, controller: layout.analyticsPort + 1, metrics: layout.metricsPort + 3},
      dependsOn: [],
      portFlag: '--analytics-port',
      dataDir: `${layout.stateDir}/${ANALYTICS_NODE}`,
      cluster: 'analytics',
    },
  ]
}

/** The nodes of the cluster a Kafka node belongs to. */
export function clusterNodes(layout: RuntimeLayout, cluster: ClusterName): ServiceNode[] {
  return cluster === 'analytics' ? analyticsNodes(layout) : brokerNodes(layout)
}

export const NAMENODE = 'hdfs-namenode'
export const DATANODE = 'hdfs-datanode'
export const SPARK_MASTER = 'spark-master'
export const SPARK_WORKER = 'spark-worker'

/** The HDFS lake: one NameNode and one DataNode (replication 1), full stack only. */
export function hdfsNodes(layout: RuntimeLayout): ServiceNode[] {
  if (layout.stack !== 'full') return []
  const p = layout.hdfsPort
  return [
    {name: NAMENODE, kind: 'hdfs-namenode', ports: {rpc: p, http: p + 1}, dependsOn: [], portFlag: '--hdfs-port', dataDir: `${layout.stateDir}/${NAMENODE}`},
    {
      name: DATANODE,
      kind: 'hdfs-datanode',
      ports: {data: p + 2, ipc: p + 3, http: p + 4},
      dependsOn: [NAMENODE],
      portFlag: '--hdfs-port',
      dataDir: `${layout.stateDir}/${DATANODE}`,
    },
  ]
}

/** The Spark standalone cluster: a master and one worker, full stack only. */
export function sparkNodes(layout: RuntimeLayout): ServiceNode[] {
  if (layout.stack !== 'full') return []
  const p = layout.sparkPort
  return [
    {
      name: SPARK_MASTER,
      kind: 'spark-master',
      ports: {rpc: p, http: p + 1},
      dependsOn: [],
      portFlag: '--spark-port',
      dataDir: `${layout.stateDir}/${SPARK_MASTER}`,
    },
    {
      name: SPARK_WORKER,
      kind: 'spark-worker',
      ports: {rpc: p + 2, http: p + 3},
      dependsOn: [SPARK_MASTER],
      portFlag: '--spark-port',
      dataDir: `${layout.stateDir}/${SPARK_WORKER}`,
    },
  ]
}

export function buildServiceGraph(layout: RuntimeLayout): ServiceNode[] {
  const brokers = brokerNodes(layout)
  const registry: ServiceNode = {
    name: 'registry',
    kind: 'registry',
    ports: {http: layout.registryPort},
    dependsOn: brokers.map((b) => b.name),
    portFlag: '--registry-port',
    dataDir: `${layout.stateDir}/registry`,
  }
  if (layout.stack !== 'full') return [...brokers, registry]
  const analytics = analyticsNodes(layout)
  const mirror: ServiceNode = {
    name: 'mirror',
    kind: 'mirror',
    ports: {rest: layout.mirrorPort, metrics: layout.metricsPort + 5},
    dependsOn: [...brokers, ...analytics].map((b) => b.name),
    portFlag: '--mirror-port',
    dataDir: `${layout.stateDir}/mirror`,
  }
  const connect: ServiceNode = {
    name: 'connect',
    kind: 'connect',
    ports: {rest: layout.connectPort, metrics: layout.metricsPort + 4},
    dependsOn: [...brokers.map((b) => b.name), registry.name],
    portFlag: '--connect-port',
    dataDir: `${layout.stateDir}/connect`,
  }
  // Monitoring starts first and stops last, so that it sees every other service come and go.
  const alertmanager: ServiceNode = {
    name: 'alertmanager',
    kind: 'alertmanager',
    ports: {http: layout.alertmanagerPort},
    dependsOn: [],
    portFlag: '--alertmanager-port',
    dataDir: `${layout.stateDir}/alertmanager`,
  }
  const prometheus: ServiceNode = {
    name: 'prometheus',
    kind: 'prometheus',
    ports: {http: layout.prometheusPort},
    dependsOn: [alertmanager.name],
    portFlag: '--prometheus-port',
    dataDir: `${layout.stateDir}/prometheus`,
  }
  const monitored = (node: ServiceNode): ServiceNode => ({...node, dependsOn: [...node.dependsOn, prometheus.name]})
  const lake = [...hdfsNodes(layout), ...sparkNodes(layout)]
  return [alertmanager, prometheus, ...[...brokers, ...analytics, registry, mirror, connect, ...lake].map(monitored)]
}

/** Start order: every node after what it depends on. */
export function startOrder(graph: ServiceNode[]): ServiceNode[][] {
  const done = new Set<string>()
  const waves: ServiceNode[][] = []
  let rest = [...graph]
  while (rest.length > 0) {
    const wave = rest.filter((n) => n.dependsOn.every((d) => done.has(d)))
    if (wave.length === 0) throw new Error(`dependency cycle among ${rest.map((n) => n.name).join(', ')}`)
    waves.push(wave)
    for (const n of wave) done.add(n.name)
    rest = rest.filter((n) => !done.has(n.name))
  }
  return waves
}

export function bootstrapServers(layout: RuntimeLayout, cluster: ClusterName = 'main'): string[] {
  return clusterNodes(layout, cluster).map((b) => `${layout.host}:${b.ports.client}`)
}

export function connectUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.connectPort}`
}

export function prometheusUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.prometheusPort}`
}

export function alertmanagerUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.alertmanagerPort}`
}

/** The Spark master the analytics job submits to (full stack). */
export function sparkMasterUrl(layout: RuntimeLayout): string {
  return `spark://${layout.host}:${layout.sparkPort}`
}

/** The Spark master's web UI; `/json/` is its state as JSON (full stack). */
export function sparkMasterWebUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.sparkPort + 1}`
}

/** The lake's file system (fs.defaultFS): paths such as hdfs://127.0.0.1:8020/mkt/lake (full stack). */
export function hdfsUri(layout: RuntimeLayout): string {
  return `hdfs://${layout.host}:${layout.hdfsPort}`
}

/** The NameNode's web UI; `/jmx` is its state as JSON (full stack). */
export function namenodeWebUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.hdfsPort + 1}`
}

/**
 * What an HDFS client of this runtime needs besides the path: the file
 * system and the lake's replication (1: one DataNode; a client's default of
 * 3 would leave every block under-replicated). For Spark, prefix each key
 * with `spark.hadoop.`.
 */
export function hdfsClientConf(layout: RuntimeLayout): Record<string, string> {
  return {'fs.defaultFS': hdfsUri(layout), 'dfs.replication': '1'}
}

/**
 * What a Spark application (the analytics job) sets to run on the
 * runtime's cluster and write to its lake: the master, the driver on the
 * runtime's host (executors connect back to it; the machine's name may
 * resolve to another interface) and the HDFS client settings.
 */
export function sparkClusterConf(layout: RuntimeLayout): Record<string, string> {
  return {
    'spark.master': sparkMasterUrl(layout),
    'spark.driver.host': layout.host,
    'spark.driver.bindAddress': layout.host,
    ...Object.fromEntries(Object.entries(hdfsClientConf(layout)).map(([k, v]) => [`spark.hadoop.${k}`, v])),
  }
}

export function registryUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.registryPort}/apis/ccompat/v7`
}
