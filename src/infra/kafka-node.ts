import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import type {RuntimeLayout, ServiceNode} from './graph.js'
import {brokerNodes} from './graph.js'
import type {LaunchSpec} from './process.js'

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

/** server.properties for one combined broker+controller node. */
export function serverProperties(layout: RuntimeLayout, node: ServiceNode, index: number): Record<string, string | number | boolean> {
  const nodes = brokerNodes(layout)
  const voters = nodes.map((n, i) => `${i + 1}@${layout.host}:${n.ports.controller}`).join(',')
  const {replication, minIsr} = replicationFor(layout.brokers)
  return {
    'process.roles': 'broker,controller',
    'node.id': index + 1,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://${layout.host}:${node.ports.client},CONTROLLER://${layout.host}:${node.ports.controller}`,
    'advertised.listeners': `PLAINTEXT://${layout.host}:${node.ports.client}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
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

export function writeKafkaConfig(layout: RuntimeLayout, node: ServiceNode, index: number): {properties: string; log4j: string} {
  fs.mkdirSync(node.dataDir, {recursive: true})
  const properties = path.join(node.dataDir, 'server.properties')
  const text = Object.entries(serverProperties(layout, node, index))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
  fs.writeFileSync(properties, `# Written by mkt infra up; regenerated on every start.\n${text}\n`)
  const log4j = path.join(node.dataDir, 'log4j.properties')
  fs.writeFileSync(log4j, LOG4J)
  return {properties, log4j}
}

export function isFormatted(node: ServiceNode): boolean {
  return fs.existsSync(path.join(node.dataDir, 'data', 'meta.properties'))
}

function jvmBase(kafkaLibs: string, node: ServiceNode, stateDir: string, log4j: string): string[] {
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

export function formatArgs(kafkaLibs: string, node: ServiceNode, stateDir: string, clusterId: string, files: {properties: string; log4j: string}): string[] {
  return [
    '-Xmx256m',
    ...jvmBase(kafkaLibs, node, stateDir, files.log4j),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    files.properties,
    '--ignore-formatted',
  ]
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
