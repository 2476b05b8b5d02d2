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
 * The listeners of a secure node: clients and brokers on SASL_SSL with
 * SCRAM-SHA-512; controllers on SASL_SSL with PLAIN (SCRAM needs the metadata
 * log, which controllers are the source of: KAFKA-15513). Authorisation by
 * ACLs only (StandardAuthorizer, nothing allowed without an ACL); super users
 * are the admin and the cluster's own principals.
 */
function secureListeners(layout: RuntimeLayout, node: ServiceNode, security: NodeSecurity): Record<string, string> {
  const scramLogin = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${BROKER_PRINCIPAL}" password="${security.brokerPassword}";`
  const plainLogin = `org.apache.kafka.common.security.plain.PlainLoginModule required username="${CONTROLLER_PRINCIPAL}" password="${security.controllerPassword}" user_${CONTROLLER_PRINCIPAL}="${security.controllerPassword}";`
  return {
    listeners: `SASL_SSL://${layout.host}:${node.ports.client},CONTROLLER://${layout.host}:${node.ports.controller}`,
    'advertised.listeners': `SASL_SSL://${layout.host}:${node.ports.client}`,
    'inter.broker.listener.name': 'SASL_SSL',
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL',
    'sasl.mechanism.inter.broker.protocol': SCRAM_MECHANISM,
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': SCRAM_MECHANISM,
    [`listener.name.sasl_ssl.${SCRAM_MECHANISM.toLowerCase()}.sasl.jaas.config`]: scramLogin,
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

function plaintextListeners(layout: RuntimeLayout, node: ServiceNode): Record<string, string> {
  return {
    listeners: `PLAINTEXT://${layout.host}:${node.ports.client},CONTROLLER://${layout.host}:${node.ports.controller}`,
    'advertised.listeners': `PLAINTEXT://${layout.host}:${node.ports.client}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  }
}

/** server.properties for one combined broker+controller node of its cluster; security is required when the layout is secure. */
export function serverProperties(layout: RuntimeLayout, node: ServiceNode, index: number, security?: NodeSecurity): Record<string, string | number | boolean> {
  const nodes = clusterNodes(layout, node.cluster ?? 'main')
  const voters = nodes.map((n, i) => `${i + 1}@${layout.host}:${n.ports.controller}`).join(',')
  const {replication, minIsr} = replicationFor(nodes.length)
  if (layout.security === 'sasl_ssl' && !security) throw new Error(`${node.name}: a secure runtime needs the node's TLS files and passwords`)
  return {
    'process.roles': 'broker,controller',
    'node.id': index + 1,
    'controller.quorum.voters': voters,
    'controller.listener.names': 'CONTROLLER',
    ...(layout.security === 'sasl_ssl' ? secureListeners(layout, node, security!) : plaintextListeners(layout, node)),
    'log.dirs': path.join(node.dataDir, 'data'),
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
  }
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
  const text = Object.entries(serverProperties(layout, node, index, security))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
  writePrivateFile(properties, `# Written by mkt infra up; regenerated on every start.\n${text}\n`)
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
