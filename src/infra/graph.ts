/**
 * The runtime as data: which services run, on which ports, after which
 * others. `infra up/down/status` walk this graph; later capabilities (Connect,
 * MirrorMaker 2, Prometheus) join it as new nodes.
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
}

export type ServiceKind = 'kafka' | 'registry' | 'mirror' | 'connect' | 'prometheus' | 'alertmanager'
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
  return [alertmanager, prometheus, ...[...brokers, ...analytics, registry, mirror, connect].map(monitored)]
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

export function registryUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.registryPort}/apis/ccompat/v7`
}
