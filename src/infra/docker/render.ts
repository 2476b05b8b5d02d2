import fs from 'node:fs'
import path from 'node:path'

import YAML from 'yaml'

import type {StoredProfile} from '../../config/schema.js'
import {DEFAULT_SEARCH_URL} from '../../config/resolve.js'
import {MktError} from '../../errors.js'
import {javaClientProperties, propertiesText} from '../../kafka/java-config.js'
import {renderAlertmanagerConfig} from '../../monitoring/index.js'
import {composePath} from '../../package-root.js'
import {certPaths, ensureCertificates} from '../../security/certs.js'
import {ADMIN_PRINCIPAL, BROKER_PRINCIPAL, CONNECT_PRINCIPAL, CONTROLLER_PRINCIPAL, MIRROR_PRINCIPAL, SCRAM_USERS} from '../../security/principals.js'
import {ensurePassword, newPassword, secretsDir} from '../../security/secrets.js'
import {resolveArtifact, type ArtifactName} from '../artifacts.js'
import type {ClusterName} from '../graph.js'
import {writeHadoopFiles} from '../hdfs-node.js'
import {argFileLine} from '../java-tool.js'
import {brokerProperties, brokerPropertiesText, newClusterId, type ListenerPlan} from '../kafka-node.js'
import {SOURCE_ALIAS, TARGET_ALIAS} from '../mirror-node.js'
import {caFile, storedProfilesForLayout} from '../secure-runtime.js'
import {workerPropertiesText} from '../worker-files.js'
import {
  ALERTMANAGER_PORT,
  clusterBrokers,
  composeBrokers,
  CONNECT_PORT,
  DATANODE_PORTS,
  internalConnection,
  JMX_EXPORTER_PORT,
  KAFKA_CONTROLLER_PORT,
  KAFKA_EXTERNAL_PORT,
  KAFKA_INTERNAL_PORT,
  MIRROR_PORT,
  NAMENODE_RPC_PORT,
  NAMENODE_WEB_PORT,
  PROMETHEUS_PORT,
  REGISTRY_PORT,
  type ComposeBroker,
  type ComposeStack,
} from './network.js'

/** The profile names inside the compose network: `docker` (the admin), docker:<principal>, docker-analytics… */
export const CONTAINER_PROFILE = 'docker'
/** Where Kafka keeps its data in the apache/kafka image (a named volume per broker). */
const KAFKA_DATA = '/var/lib/kafka/data'
/** Where the Hadoop image keeps its data (a named volume per daemon). */
const HADOOP_DATA = '/data'

export interface RenderOptions {
  /** The state volume as the init container sees it (/var/lib/mkt). */
  stateDir: string
  stack: ComposeStack
  /** The host name clients outside the compose network use (the published listeners advertise it; the certificates name it). */
  advertisedHost: string
  /** For Alertmanager's receivers (MKT_ALERT_WEBHOOK_URL, MKT_SMTP_*). */
  env?: NodeJS.ProcessEnv
  /** Where the init container mounts the data volumes of services that run as uid 1000 or 1001 in group 0: each is made group-writable. */
  volumesDir?: string
}

export interface RenderResult {
  stack: ComposeStack
  /** Files written or rewritten, relative to the state dir. */
  files: string[]
  certificates: string[]
}

interface ComposeState {
  stack: ComposeStack
  clusterIds: Record<ClusterName, string>
}

/** docker/cluster.json: the stack and the KRaft cluster ids, fixed when the deployment is first created. */
function composeState(dir: string, stack: ComposeStack): ComposeState {
  const file = path.join(dir, 'cluster.json')
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as ComposeState
    if (saved.stack !== stack)
      throw new MktError(
        `This compose deployment was created as the ${saved.stack} stack; its brokers cannot become the ${stack} one.`,
        `Start it as it was (COMPOSE_PROFILES=${saved.stack === 'full' ? 'full' : ''}), or delete its volumes first: \`docker compose down -v\` (or \`mkt infra down --runtime docker --purge\`).`,
        'usage',
      )
    return saved
  }
  const state: ComposeState = {stack, clusterIds: {main: newClusterId(), analytics: newClusterId()}}
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`)
  return state
}

/** A file the containers read: owner root, readable by group 0 (every container of the deployment runs in it), nobody else. */
function writeShared(file: string, content: string | Buffer, written: string[], root: string, mode = 0o640): void {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, content, {mode})
  fs.chmodSync(tmp, mode)
  fs.renameSync(tmp, file)
  written.push(path.relative(root, file))
}

function brokerPlan(stack: ComposeStack, broker: ComposeBroker, advertisedHost: string): ListenerPlan {
  return {
    clients: [
      // The first listener carries the brokers' own traffic, inside the compose network.
      {name: 'SASL_SSL', bind: `0.0.0.0:${KAFKA_INTERNAL_PORT}`, advertised: `${broker.name}:${KAFKA_INTERNAL_PORT}`},
      {name: 'EXTERNAL', bind: `0.0.0.0:${KAFKA_EXTERNAL_PORT}`, advertised: `${advertisedHost}:${broker.published}`},
    ],
    controller: `0.0.0.0:${KAFKA_CONTROLLER_PORT}`,
    voters: clusterBrokers(stack, broker.cluster).map((b) => `${b.name}:${KAFKA_CONTROLLER_PORT}`),
  }
}

/** The admin's Java client settings inside the network (the brokers' health checks). */
function adminClient(stateDir: string, stack: ComposeStack, cluster: ClusterName, principal = ADMIN_PRINCIPAL): Record<string, string> {
  return javaClientProperties({
    name: `${CONTAINER_PROFILE}:${principal}`,
    brokers: internalConnection(stack, cluster).brokers!,
    schemaRegistry: {url: `http://registry:${REGISTRY_PORT}`},
    tls: {enabled: true, ca: caFile(stateDir), rejectUnauthorized: true},
    sasl: {mechanism: 'scram-sha-512', username: principal, password: ensurePassword(stateDir, principal)},
    stateDir,
    clientId: 'mkt',
    searchUrl: DEFAULT_SEARCH_URL,
  })
}

/** The Connect plugins and the JMX exporter agent, copied from the image's artifact cache into the volume the Kafka containers mount. */
async function copyArtifact(name: ArtifactName, to: string, written: string[], root: string): Promise<string> {
  const {dir} = await resolveArtifact(name)
  fs.rmSync(to, {recursive: true, force: true})
  fs.cpSync(dir, to, {recursive: true, dereference: true})
  for (const file of fs.readdirSync(to)) fs.chmodSync(path.join(to, file), 0o644)
  written.push(path.relative(root, to))
  return to
}

/**
 * What `mkt infra compose-render` (the mkt-init service) writes into the
 * state volume before anything else starts: the CA and the certificates of
 * every broker, a password per SCRAM user, and each service's configuration,
 * rendered from the same compose/ files and by the same code as the local
 * runtime's, with the compose network's names and ports. Idempotent: what
 * exists is kept (certificates, passwords, cluster ids), configs are
 * rendered afresh.
 */
export async function renderComposeState(options: RenderOptions): Promise<RenderResult> {
  const {stateDir: root, stack, advertisedHost} = options
  const docker = path.join(root, 'docker')
  fs.mkdirSync(docker, {recursive: true, mode: 0o750})
  const written: string[] = []
  const state = composeState(docker, stack)
  const brokers = composeBrokers(stack)

  const {created} = await ensureCertificates({
    stateDir: root,
    nodes: brokers.map((b) => ({name: b.name, hosts: [...new Set([b.name, advertisedHost, 'localhost', '127.0.0.1'])]})),
    clients: [],
    force: false,
  })
  for (const user of [...SCRAM_USERS, CONTROLLER_PRINCIPAL]) ensurePassword(root, user)

  // Kafka: server.properties, the storage format's argument file (with the SCRAM users), the health check's client settings.
  for (const broker of brokers) {
    const dir = path.join(docker, broker.name)
    const nodes = clusterBrokers(stack, broker.cluster)
    const security = {
      keystore: certPaths(root).node(broker.name).keystore,
      truststore: caFile(root),
      brokerPassword: ensurePassword(root, BROKER_PRINCIPAL),
      controllerPassword: ensurePassword(root, CONTROLLER_PRINCIPAL),
    }
    const properties = path.join(dir, 'server.properties')
    const props = brokerProperties(
      brokerPlan(stack, broker, advertisedHost),
      nodes.findIndex((n) => n.name === broker.name),
      KAFKA_DATA,
      security,
    )
    writeShared(properties, brokerPropertiesText(props, 'Rendered by mkt infra compose-render; regenerated whenever mkt-init runs.'), written, root)
    const scram = SCRAM_USERS.flatMap((u) => ['--add-scram', `SCRAM-SHA-512=[name=${u},password=${ensurePassword(root, u)}]`])
    const format = ['kafka.tools.StorageTool', 'format', '-t', state.clusterIds[broker.cluster], '-c', properties, '--ignore-formatted', ...scram]
    writeShared(path.join(dir, 'format.args'), `${format.map(argFileLine).join('\n')}\n`, written, root)
    writeShared(
      path.join(dir, 'client.properties'),
      propertiesText({...adminClient(root, stack, broker.cluster), 'bootstrap.servers': `${broker.name}:${KAFKA_INTERNAL_PORT}`}),
      written,
      root,
    )
  }

  // The profiles every mkt container reads (MKT_CONFIG): one per principal, as `mkt infra up` writes them on the host.
  const base = (cluster: ClusterName): StoredProfile => ({
    ...internalConnection(stack, cluster),
    stateDir: root,
    runtime: 'docker',
    searchUrl: 'http://indexer:9410',
    ...(stack === 'full' ? {connectUrl: `http://connect:${CONNECT_PORT}`} : {}),
  })
  const layout = {security: 'sasl_ssl' as const, stateDir: root}
  const profiles = {
    ...storedProfilesForLayout(layout, CONTAINER_PROFILE, base('main')),
    ...(stack === 'full' ? storedProfilesForLayout(layout, `${CONTAINER_PROFILE}-analytics`, base('analytics')) : {}),
  }
  writeShared(
    path.join(root, 'config.yaml'),
    `# Rendered by mkt infra compose-render: the profiles of the containers (MKT_CONFIG).\n${YAML.stringify({current: CONTAINER_PROFILE, profiles})}`,
    written,
    root,
  )

  // Directories the services write to: group 0 may write (the workers run as uid 1000, group 0).
  for (const dir of ['prometheus/targets/workers', 'sink', 'search', 'gateway', 'analytics']) {
    fs.mkdirSync(path.join(root, dir), {recursive: true})
    fs.chmodSync(path.join(root, dir), 0o2770)
  }
  if (options.volumesDir && fs.existsSync(options.volumesDir))
    for (const dir of fs.readdirSync(options.volumesDir)) fs.chmodSync(path.join(options.volumesDir, dir), 0o2770)
  // Every broker's JVM carries the Prometheus JMX exporter (scraped in the full stack).
  await copyArtifact('jmxExporter', path.join(docker, 'jars', 'jmx-exporter'), written, root)

  if (stack === 'full') await renderFullStack(root, docker, stack, options.env ?? process.env, written)

  // The secrets and certificates: group 0 reads them (0640), the directories let it in (0750).
  for (const dir of [secretsDir(root), path.dirname(caFile(root))]) {
    fs.chmodSync(dir, 0o750)
    // The CA's key stays the init container's own: only `mkt certs` signs.
    for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), file === path.basename(certPaths(root).caKey) ? 0o600 : 0o640)
  }
  fs.chmodSync(root, 0o750)
  return {stack, files: written.sort(), certificates: created}
}

/** Connect, MirrorMaker 2, Prometheus's targets, Alertmanager, HDFS, kafka-ui: the full stack's services. */
async function renderFullStack(root: string, docker: string, stack: ComposeStack, env: NodeJS.ProcessEnv, written: string[]): Promise<void> {
  // Connect: compose/connect/worker.properties after the connect principal's connection, the REST listener and its plugins.
  const plugins = path.join(docker, 'connect', 'plugins')
  for (const [name, artifact] of [
    ['connect-file', 'connectFile'],
    ['apicurio-converter', 'apicurioConverter'],
    ['connect-json-transform', 'connectJsonTransform'],
  ] as const)
    await copyArtifact(artifact, path.join(plugins, name), written, root)
  const connect = adminClient(root, stack, 'main', CONNECT_PRINCIPAL)
  const {'bootstrap.servers': bootstrap, ...security} = connect
  const prefixed = (prefix: string) => Object.fromEntries(Object.entries(security).map(([k, v]) => [`${prefix}${k}`, v]))
  const worker = {
    'bootstrap.servers': bootstrap!,
    ...security,
    ...prefixed('producer.'),
    ...prefixed('consumer.'),
    ...prefixed('admin.'),
    listeners: `http://0.0.0.0:${CONNECT_PORT}`,
    'rest.advertised.host.name': 'connect',
    'rest.advertised.port': String(CONNECT_PORT),
    'plugin.path': plugins,
  }
  writeShared(path.join(docker, 'connect', 'worker.properties'), workerFile(worker, ['connect', 'worker.properties']), written, root)

  // MirrorMaker 2: compose/mirror/mm2.properties after both clusters' connections as the mirror principal.
  const mirror = {
    clusters: `${SOURCE_ALIAS}, ${TARGET_ALIAS}`,
    ...prefixedKeys(adminClient(root, stack, 'main', MIRROR_PRINCIPAL), `${SOURCE_ALIAS}.`),
    ...prefixedKeys(adminClient(root, stack, 'analytics', MIRROR_PRINCIPAL), `${TARGET_ALIAS}.`),
    listeners: `http://0.0.0.0:${MIRROR_PORT}`,
    'rest.advertised.host.name': 'mirror',
  }
  writeShared(path.join(docker, 'mirror', 'mm2.properties'), workerFile(mirror, ['mirror', 'mm2.properties']), written, root)

  // Prometheus: the targets compose/prometheus/prometheus.yml discovers, by service name (the workers add their own).
  const target = (service: string, port: number, cluster = 'main') => [{targets: [`${service}:${port}`], labels: {cluster, service}}]
  const targets: Record<string, unknown[]> = {
    'prometheus.json': target('prometheus', PROMETHEUS_PORT),
    'alertmanager.json': target('alertmanager', ALERTMANAGER_PORT),
    'kafka-main.json': clusterBrokers(stack, 'main').flatMap((b) => target(b.name, JMX_EXPORTER_PORT)),
    'kafka-analytics.json': clusterBrokers(stack, 'analytics').flatMap((b) => target(b.name, JMX_EXPORTER_PORT, 'analytics')),
    'connect.json': target('connect', JMX_EXPORTER_PORT),
    'mirror.json': target('mirror', JMX_EXPORTER_PORT),
  }
  for (const [file, groups] of Object.entries(targets))
    writeShared(path.join(root, 'prometheus', 'targets', file), `${JSON.stringify(groups, null, 2)}\n`, written, root, 0o644)

  writeShared(
    path.join(docker, 'alertmanager', 'alertmanager.yml'),
    renderAlertmanagerConfig(fs.readFileSync(composePath('alertmanager', 'alertmanager.yml'), 'utf8'), env),
    written,
    root,
  )

  // HDFS: compose/hadoop's templates with the daemons' service names and Hadoop's usual ports.
  const hadoop = {
    MKT_HDFS_URI: `hdfs://hdfs-namenode:${NAMENODE_RPC_PORT}`,
    MKT_NAMENODE_HOST: 'hdfs-namenode',
    MKT_DATANODE_HOST: 'hdfs-datanode',
    MKT_TMP_DIR: `${HADOOP_DATA}/tmp`,
    MKT_NAME_DIR: `${HADOOP_DATA}/name`,
    MKT_DATA_DIR: `${HADOOP_DATA}/blocks`,
    MKT_NAMENODE_RPC_PORT: String(NAMENODE_RPC_PORT),
    MKT_NAMENODE_HTTP_PORT: String(NAMENODE_WEB_PORT),
    MKT_DATANODE_DATA_PORT: String(DATANODE_PORTS.data),
    MKT_DATANODE_IPC_PORT: String(DATANODE_PORTS.ipc),
    MKT_DATANODE_HTTP_PORT: String(DATANODE_PORTS.http),
  }
  const {confDir} = writeHadoopFiles(path.join(docker, 'hadoop'), hadoop, 'mkt infra compose-render')
  for (const file of fs.readdirSync(confDir)) {
    fs.chmodSync(path.join(confDir, file), 0o644)
    written.push(path.relative(root, path.join(confDir, file)))
  }

  // kafka-ui: both clusters, as the monitor principal (describe only: kafka-ui shows topics, configs and groups), trusting a copy of the CA in its own directory.
  const cluster = (name: string, which: ClusterName) => {
    const client = adminClient(root, stack, which, 'monitor')
    return {
      name,
      bootstrapServers: client['bootstrap.servers'],
      readOnly: true,
      ...(which === 'main' ? {schemaRegistry: `http://registry:${REGISTRY_PORT}/apis/ccompat/v7`} : {}),
      properties: {
        'security.protocol': client['security.protocol'],
        'sasl.mechanism': client['sasl.mechanism'],
        'sasl.jaas.config': client['sasl.jaas.config'],
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': '/etc/kafkaui/mkt/ca.pem',
      },
    }
  }
  writeShared(
    path.join(docker, 'kafka-ui', 'config.yml'),
    `# Rendered by mkt infra compose-render (it holds the monitor principal's password).\n${YAML.stringify({kafka: {clusters: [cluster('main', 'main'), cluster('analytics', 'analytics')]}})}`,
    written,
    root,
  )
  writeShared(path.join(docker, 'kafka-ui', 'ca.pem'), fs.readFileSync(caFile(root)), written, root, 0o644)

  // Grafana's admin password, generated once (its container reads only this directory).
  const grafana = path.join(docker, 'grafana', 'admin.password')
  if (!fs.existsSync(grafana)) writeShared(grafana, `${newPassword()}\n`, written, root)
}

function prefixedKeys(props: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [`${prefix}${k}`, v]))
}

/** A Connect-based worker's properties: this deployment's connection, then the shared settings of compose/ (as the local runtime writes them). */
function workerFile(connection: Record<string, string>, shared: [string, string]): string {
  return workerPropertiesText(connection, shared, `Rendered by mkt infra compose-render from compose/${shared.join('/')}.`)
}
