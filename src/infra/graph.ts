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
}

export type ServiceKind = 'kafka' | 'registry'

export interface ServiceNode {
  name: string
  kind: ServiceKind
  /** Named ports, for status output and clash errors. */
  ports: Record<string, number>
  dependsOn: string[]
  /** The flag that moves this service's ports, for error messages. */
  portFlag: string
  dataDir: string
}

export const DEFAULT_LAYOUT: Omit<RuntimeLayout, 'stateDir'> = {brokers: 1, host: '127.0.0.1', kafkaPort: 9092, registryPort: 8081, security: 'sasl_ssl'}

export function brokerName(index: number): string {
  return `kafka-${index + 1}`
}

export function brokerNodes(layout: RuntimeLayout): ServiceNode[] {
  return Array.from({length: layout.brokers}, (_, i) => ({
    name: brokerName(i),
    kind: 'kafka' as const,
    ports: {client: layout.kafkaPort + 2 * i, controller: layout.kafkaPort + 2 * i + 1},
    dependsOn: [],
    portFlag: '--kafka-port',
    dataDir: `${layout.stateDir}/${brokerName(i)}`,
  }))
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
  return [...brokers, registry]
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

export function bootstrapServers(layout: RuntimeLayout): string[] {
  return brokerNodes(layout).map((b) => `${layout.host}:${b.ports.client}`)
}

export function registryUrl(layout: RuntimeLayout): string {
  return `http://${layout.host}:${layout.registryPort}/apis/ccompat/v7`
}
