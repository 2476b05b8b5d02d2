import fs from 'node:fs'
import path from 'node:path'

import {writePrivateFile} from '../config/private-file.js'
import {propertiesText} from '../kafka/java-config.js'
import {composePath} from '../package-root.js'
import type {ServiceNode} from './graph.js'

/** log4j for Connect and MirrorMaker 2: their INFO, without the config dumps every client logs when it starts. */
const CONNECT_LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients.consumer.ConsumerConfig=WARN
log4j.logger.org.apache.kafka.clients.producer.ProducerConfig=WARN
log4j.logger.org.apache.kafka.clients.admin.AdminClientConfig=WARN
log4j.logger.org.apache.kafka.common.utils.AppInfoParser=WARN
log4j.logger.org.apache.kafka.connect.runtime.WorkerConfig=WARN
log4j.logger.org.apache.kafka.connect.runtime.distributed.DistributedConfig=WARN
log4j.logger.org.apache.kafka.connect.mirror.MirrorMakerConfig=WARN
log4j.logger.org.reflections=ERROR
log4j.logger.org.eclipse.jetty=WARN
`

/**
 * The properties file a Connect-based worker (Connect, MirrorMaker 2) reads:
 * this deployment's connection settings, then the shared settings from
 * compose/ (0600: the connection holds a password), and its log4j.
 */
export function writeWorkerFiles(node: ServiceNode, shared: [string, string], connection: Record<string, string>): {properties: string; log4j: string} {
  fs.mkdirSync(node.dataDir, {recursive: true})
  const properties = path.join(node.dataDir, shared[1])
  writePrivateFile(properties, workerPropertiesText(connection, shared, 'Written by mkt infra up; regenerated on every start.'))
  const log4j = path.join(node.dataDir, 'log4j.properties')
  fs.writeFileSync(log4j, CONNECT_LOG4J)
  return {properties, log4j}
}

/** A worker's properties text: a header, the deployment's connection settings, then compose/<shared> as it is. */
export function workerPropertiesText(connection: Record<string, string>, shared: [string, string], header: string): string {
  return `# ${header}\n${propertiesText(connection)}\n${fs.readFileSync(composePath(...shared), 'utf8')}`
}
