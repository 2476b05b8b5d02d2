import type {StoredProfile} from '../../config/schema.js'
import {DEFAULT_LAYOUT, type ClusterName} from '../graph.js'

/**
 * The compose deployment's network, as data: every container's service name
 * and the ports it listens on inside the compose network, and what it
 * publishes on the host. The published ports are the local runtime's
 * defaults, so a profile looks the same whichever runtime wrote it.
 * compose/docker-compose.yml spells these out; a test checks that they agree.
 */

/** Where the state volume (certificates, passwords, rendered configs) is mounted in every container. */
export const CONTAINER_STATE = '/var/lib/mkt'
/** Where compose/ is mounted read-only in the containers that read its files. */
export const CONTAINER_COMPOSE = '/etc/mkt'
/** The stack the compose deployment runs: COMPOSE_PROFILES holds "full" for the full one. */
export type ComposeStack = 'core' | 'full'

/** Inside the compose network every broker listens on the same ports. */
export const KAFKA_INTERNAL_PORT = 9092
export const KAFKA_CONTROLLER_PORT = 9093
/** The listener for clients outside the compose network, published on the host. */
export const KAFKA_EXTERNAL_PORT = 19092
export const JMX_EXPORTER_PORT = 7071
export const REGISTRY_PORT = 8080
export const CONNECT_PORT = 8083
export const MIRROR_PORT = 8084
export const PROMETHEUS_PORT = 9090
export const ALERTMANAGER_PORT = 9093
export const GRAFANA_PORT = 3000
export const KAFKA_UI_PORT = 8080
export const SPARK_MASTER_PORT = 7077
export const SPARK_MASTER_WEB_PORT = 8080
export const SPARK_WORKER_WEB_PORT = 8081
export const NAMENODE_RPC_PORT = 8020
export const NAMENODE_WEB_PORT = 9870
export const DATANODE_PORTS = {data: 9866, ipc: 9867, http: 9864} as const
/** The mkt workers' /metrics and /healthz, and the gateway's API. */
export const WORKER_PORTS = {filter: 9464, indexer: 9410, recommender: 9465, gateway: 9440} as const

export interface ComposeBroker {
  name: string
  cluster: ClusterName
  /** The host port its external listener is published on. */
  published: number
}

/** The brokers of a stack: kafka-1 (…3) for the main cluster, analytics-1 for the analytics cluster (full stack). */
export function composeBrokers(stack: ComposeStack): ComposeBroker[] {
  const main = Array.from({length: stack === 'full' ? 3 : 1}, (_, i) => ({
    name: `kafka-${i + 1}`,
    cluster: 'main' as const,
    published: DEFAULT_LAYOUT.kafkaPort + 2 * i,
  }))
  return stack === 'full' ? [...main, {name: 'analytics-1', cluster: 'analytics', published: DEFAULT_LAYOUT.analyticsPort}] : main
}

export function clusterBrokers(stack: ComposeStack, cluster: ClusterName): ComposeBroker[] {
  return composeBrokers(stack).filter((b) => b.cluster === cluster)
}

/** What the host publishes: service → [host port, container port]. */
export function publishedPorts(stack: ComposeStack): Record<string, Array<[number, number]>> {
  const ports: Record<string, Array<[number, number]>> = {
    ...Object.fromEntries(composeBrokers(stack).map((b) => [b.name, [[b.published, KAFKA_EXTERNAL_PORT]]])),
    registry: [[DEFAULT_LAYOUT.registryPort, REGISTRY_PORT]],
    indexer: [[WORKER_PORTS.indexer, WORKER_PORTS.indexer]],
    gateway: [[WORKER_PORTS.gateway, WORKER_PORTS.gateway]],
  }
  if (stack === 'core') return ports
  return {
    ...ports,
    connect: [[DEFAULT_LAYOUT.connectPort, CONNECT_PORT]],
    prometheus: [[DEFAULT_LAYOUT.prometheusPort, PROMETHEUS_PORT]],
    alertmanager: [[DEFAULT_LAYOUT.alertmanagerPort, ALERTMANAGER_PORT]],
    grafana: [[GRAFANA_PORT, GRAFANA_PORT]],
    'kafka-ui': [[KAFKA_UI_HOST_PORT, KAFKA_UI_PORT]],
    'spark-master': [
      [DEFAULT_LAYOUT.sparkPort, SPARK_MASTER_PORT],
      [DEFAULT_LAYOUT.sparkPort + 1, SPARK_MASTER_WEB_PORT],
    ],
    'hdfs-namenode': [[DEFAULT_LAYOUT.hdfsPort + 1, NAMENODE_WEB_PORT]],
  }
}

/** kafka-ui on the host: 8080 would clash with nothing of ours, but it is every Java web app's default; 8090 is less likely taken. */
export const KAFKA_UI_HOST_PORT = 8090

/** The connection settings of a profile inside the compose network (the containers' config.yaml). */
export function internalConnection(stack: ComposeStack, cluster: ClusterName = 'main'): Pick<StoredProfile, 'brokers' | 'schemaRegistry'> {
  return {
    brokers: clusterBrokers(stack, cluster).map((b) => `${b.name}:${KAFKA_INTERNAL_PORT}`),
    schemaRegistry: {url: `http://registry:${REGISTRY_PORT}/apis/ccompat/v7`},
  }
}

/** The same from the host, through the published ports. */
export function publishedConnection(stack: ComposeStack, host: string, cluster: ClusterName = 'main'): Pick<StoredProfile, 'brokers' | 'schemaRegistry'> {
  return {
    brokers: clusterBrokers(stack, cluster).map((b) => `${host}:${b.published}`),
    schemaRegistry: {url: `http://${host}:${DEFAULT_LAYOUT.registryPort}/apis/ccompat/v7`},
  }
}

/** COMPOSE_PROFILES ("full", "core", "full,debug", empty) → the stack. */
export function stackFromProfiles(profiles: string | undefined): ComposeStack {
  return (profiles ?? '')
    .split(',')
    .map((p) => p.trim())
    .includes('full')
    ? 'full'
    : 'core'
}
