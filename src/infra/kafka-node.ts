import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import type {RuntimeLayout, ServiceNode} from './graph.js'
import {clusterNodes} from './graph.js'
import {BROKER_PRINCIPAL, CONTROLLER_PRINCIPAL, SCRAM_MECHANISM, SUPER_USERS} from '../security/principals.js'
import type {LaunchSpec} from './process.js'
import {writePrivateFile} from '../config/private-file.js'

/** A KRaft cluster id: 16 random bytes, base64url, never starting with '-' (Kafka's own rule). */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

export function replicationFor(brokers: number): {replication: number; minIsr: number} {
  return {replication: Math.min(3, brokers), minIsr: brokers >= 3 ? 2 : 1}
}

/** What a secure node needs besides the layout: its TLS files and the passwords of the broker and controller principals. */
export interface NodeSecurity {
  /** PEM: the node's PKCS#8 key followed by its certificate chain. */
  keystore: string
  /** PEM: the CA every node and client trusts. */
  truststore: string
  brokerPassword: string
  controllerPassword: string
}

/**
 * Where one combined broker+controller node listens: its client listeners
 * (each bound to one address and advertised under another; the first one
 * carries the brokers' own traffic), its controller listener and the quorum.
 * The local runtime gives every node one client listener on the runtime's
 * host; the compose deployment gives each container an internal listener
 * under its service name and an external one for the published port.
 */
export interface ListenerPlan {
  clients: Array<{name: string; bind: string; advertised: string}>
  controller: string
  /** host:port of each node's controller listener, node id = position + 1. */
  voters: string[]
}

/**
 * The listeners of a secure node: clients and brokers on SASL_SSL with
 * SCRAM-SHA-512; controllers on SASL_SSL with PLAIN (SCRAM needs the metadata
 * log, which controllers are the source of: KAFKA-15513). Authorisation by
 * ACLs only (StandardAuthorizer, nothing allowed without an ACL); super users
 * are the admin and the cluster's own principals.
 */
function secureListeners(plan: ListenerPlan, security: NodeSecurity): Record<string, string> {
  const scramLogin = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${BROKER_PRINCIPAL}" password="${security.brokerPassword}";`
  const plainLogin = `org.apache.kafka.common.security.plain.PlainLoginModule required username="${CONTROLLER_PRINCIPAL}" password="${security.controllerPassword}" user_${CONTROLLER_PRINCIPAL}="${security.controllerPassword}";`
  const perListener = Object.fromEntries(
    plan.clients.flatMap(({name}) => [
      [`listener.name.${name.toLowerCase()}.sasl.enabled.mechanisms`, SCRAM_MECHANISM],
      [`listener.name.${name.toLowerCase()}.${SCRAM_MECHANISM.toLowerCase()}.sasl.jaas.config`, scramLogin],
    ]),
  )
  return {
    listeners: [...plan.clients.map((c) => `${c.name}://${c.bind}`), `CONTROLLER://${plan.controller}`].join(','),
    'advertised.listeners': plan.clients.map((c) => `${c.name}://${c.advertised}`).join(','),
    'inter.broker.listener.name': plan.clients[0]!.name,
    'listener.security.protocol.map': [...plan.clients.map((c) => `${c.name}:SASL_SSL`), 'CONTROLLER:SASL_SSL'].join(','),
    'sasl.mechanism.inter.broker.protocol': SCRAM_MECHANISM,
    'sasl.mechanism.controller.protocol': 'PLAIN',
    ...perListener,
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': plainLogin,
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': security.keystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': security.truststore,
    'ssl.endpoint.identification.algorithm': 'https',
    'ssl.client.auth': 'none',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    'super.users': SUPER_USERS.map((u) => `User:${u}`).join(';'),
  }
}

function plaintextListeners(plan: ListenerPlan): Record<string, string> {
  return {
    listeners: [...plan.clients.map((c) => `${c.name}://${c.bind}`), `CONTROLLER://${plan.controller}`].join(','),
    'advertised.listeners': plan.clients.map((c) => `${c.name}://${c.advertised}`).join(','),
    'inter.broker.listener.name': plan.clients[0]!.name,
    'listener.security.protocol.map': [...plan.clients.map((c) => `${c.name}:PLAINTEXT`), 'CONTROLLER:PLAINTEXT'].join(','),
  }
}

/** The local runtime's plan: one client listener per node on the runtime's host. */
export function localListenerPlan(layout: RuntimeLayout, node: ServiceNode): ListenerPlan {
  const address = `${layout.host}:${node.ports.client}`
  return {
    clients: [{name: layout.security === 'sasl_ssl' ? 'SASL_SSL' : 'PLAINTEXT', bind: address, advertised: address}],
    controller: `${layout.host}:${node.ports.controller}`,
    voters: clusterNodes(layout, node.cluster ?? 'main').map((n) => `${layout.host}:${n.ports.controller}`),
  }
}

/**
 * server.properties for node `index` (0-based) of a KRaft cluster whose
 * listeners the plan gives; security is required when the cluster is secure.
 * The one place the brokers' settings live, for both runtimes.
 */
export function brokerProperties(plan: ListenerPlan, index: number, logDir: string, security?: NodeSecurity): Record<string, string | number | boolean> {
  const {replication, minIsr} = replicationFor(plan.voters.length)
  return {
    'process.roles': 'broker,controller',
    'node.id': index + 1,
    'controller.quorum.voters': plan.voters.map((v, i) => `${i + 1}@${v}`).join(','),
    'controller.listener.names': 'CONTROLLER',
    ...(security ? secureListeners(plan, security) : plaintextListeners(plan)),
    'log.dirs': logDir,
    'num.partitions': 3,
    'default.replication.factor': replication,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': replication,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': Math.min(minIsr, replication),
    // Topics come from the spec (`mkt topics apply`); a typo must not create one.
    'auto.create.topics.enable': false,
    'unclean.leader.election.enable': false,
    'group.initial.rebalance.delay.ms': 0,
    'log.retention.hours': 168,
    // A metadata snapshot every 30 s (the default is an hour). Kafka 3.9's ScramDelta.apply drops a mechanism's
    // whole user map when it applies a user's removal to an empty map before the other users are added: a node
    // that rebuilds its metadata from a log holding both the bootstrap users and a deleted user (`mkt users
    // delete`) with no snapshot before them, refuses every SCRAM login after a restart, depending on how the
    // user names hash. Loading from a snapshot starts from a non-empty map, which that order cannot empty.
    'metadata.log.max.snapshot.interval.ms': 30_000,
  }
}

/** server.properties for one node of the local runtime. */
export function serverProperties(layout: RuntimeLayout, node: ServiceNode, index: number, security?: NodeSecurity): Record<string, string | number | boolean> {
  if (layout.security === 'sasl_ssl' && !security) throw new Error(`${node.name}: a secure runtime needs the node's TLS files and passwords`)
  return brokerProperties(localListenerPlan(layout, node), index, path.join(node.dataDir, 'data'), layout.security === 'sasl_ssl' ? security : undefined)
}

/** Java .properties text of a broker's settings (the file holds passwords: write it 0600 or to a private volume). */
export function brokerPropertiesText(props: Record<string, string | number | boolean>, header: string): string {
  const text = Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
  return `# ${header}\n${text}\n`
}

const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.clients=WARN
`

/** Writes server.properties (0600: a secure node's holds its passwords) and log4j.properties. */
export function writeKafkaConfig(layout: RuntimeLayout, node: ServiceNode, index: number, security?: NodeSecurity): {properties: string; log4j: string} {
  fs.mkdirSync(node.dataDir, {recursive: true})
  const properties = path.join(node.dataDir, 'server.properties')
  writePrivateFile(properties, brokerPropertiesText(serverProperties(layout, node, index, security), 'Written by mkt infra up; regenerated on every start.'))
  const log4j = path.join(node.dataDir, 'log4j.properties')
  fs.writeFileSync(log4j, LOG4J)
  return {properties, log4j}
}

export function isFormatted(node: ServiceNode): boolean {
  return fs.existsSync(path.join(node.dataDir, 'data', 'meta.properties'))
}

export function jvmBase(kafkaLibs: string, node: ServiceNode, stateDir: string, log4j: string): string[] {
  return [
    `-Dmkt.service=${node.name}`,
    `-Dmkt.state=${stateDir}`,
    `-Dlog4j.configuration=file:${log4j}`,
    `-Dkafka.logs.dir=${path.join(node.dataDir, 'logs')}`,
    '-Djava.awt.headless=true',
    '-cp',
    `${kafkaLibs}/*`,
  ]
}

/**
 * Formats a node's storage. A secure cluster gets its SCRAM users here, the
 * same list on every node, so the brokers can authenticate each other (and
 * the admin can connect) before any of them runs. The arguments carry
 * passwords: run them through runJavaTool (an argument file, not argv).
 */
export function formatTool(clusterId: string, properties: string, scramUsers: Array<{name: string; password: string}>): {main: string; args: string[]} {
  const scram = scramUsers.flatMap((u) => ['--add-scram', `${SCRAM_MECHANISM}=[name=${u.name},password=${u.password}]`])
  return {main: 'kafka.tools.StorageTool', args: ['format', '-t', clusterId, '-c', properties, '--ignore-formatted', ...scram]}
}

/** JVM options for a Kafka command-line tool run for a node (its log4j, Kafka's jars). */
export function toolJvmArgs(kafkaLibs: string, node: ServiceNode, stateDir: string, log4j: string): string[] {
  return ['-Xmx256m', ...jvmBase(kafkaLibs, node, stateDir, log4j)]
}

export function kafkaLaunch(java: string, kafkaLibs: string, node: ServiceNode, stateDir: string, files: {properties: string; log4j: string}): LaunchSpec {
  return {
    command: java,
    args: [
      '-Xms256m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      ...jvmBase(kafkaLibs, node, stateDir, files.log4j),
      'kafka.Kafka',
      files.properties,
    ],
    env: {},
    cwd: node.dataDir,
  }
}
