import fs from 'node:fs'
import path from 'node:path'

import {writePrivateFile} from '../config/private-file.js'
import {javaClientProperties, propertiesText} from '../kafka/java-config.js'
import {composePath} from '../package-root.js'
import {MIRROR_PRINCIPAL} from '../security/principals.js'
import {jvmBase} from './kafka-node.js'
import {profileForLayout} from './layout-profile.js'
import type {RuntimeLayout, ServiceNode} from './graph.js'
import type {LaunchSpec} from './process.js'
import {CONNECT_LOG4J} from './connect-log4j.js'

/** The cluster aliases in MirrorMaker's properties (and so in its topic names: main.<topic>, main.checkpoints.internal). */
export const SOURCE_ALIAS = 'main'
export const TARGET_ALIAS = 'analytics'

/**
 * mm2.properties for the local full stack: the shared replication settings
 * of compose/mirror/mm2.properties, after the two clusters' addresses and
 * the mirror principal's credentials (0600: it holds the password).
 */
export function writeMirrorConfig(layout: RuntimeLayout, node: ServiceNode): {properties: string; log4j: string} {
  fs.mkdirSync(node.dataDir, {recursive: true})
  const connection = {
    clusters: `${SOURCE_ALIAS}, ${TARGET_ALIAS}`,
    ...javaClientProperties(profileForLayout(layout, 'mirror', MIRROR_PRINCIPAL, 'main'), `${SOURCE_ALIAS}.`),
    ...javaClientProperties(profileForLayout(layout, 'mirror', MIRROR_PRINCIPAL, 'analytics'), `${TARGET_ALIAS}.`),
    listeners: `http://${layout.host}:${node.ports.rest}`,
  }
  const shared = fs.readFileSync(composePath('mirror', 'mm2.properties'), 'utf8')
  const properties = path.join(node.dataDir, 'mm2.properties')
  writePrivateFile(properties, `# Written by mkt infra up; regenerated on every start.\n${propertiesText(connection)}\n${shared}`)
  const log4j = path.join(node.dataDir, 'log4j.properties')
  fs.writeFileSync(log4j, CONNECT_LOG4J)
  return {properties, log4j}
}

/** MirrorMaker 2 in dedicated mode, running only the flows into the analytics cluster (the file must come before --clusters). */
export function mirrorLaunch(java: string, kafkaLibs: string, node: ServiceNode, stateDir: string, files: {properties: string; log4j: string}): LaunchSpec {
  return {
    command: java,
    args: [
      '-Xms128m',
      '-Xmx768m',
      ...jvmBase(kafkaLibs, node, stateDir, files.log4j),
      'org.apache.kafka.connect.mirror.MirrorMaker',
      files.properties,
      '--clusters',
      TARGET_ALIAS,
    ],
    env: {},
    cwd: node.dataDir,
  }
}
