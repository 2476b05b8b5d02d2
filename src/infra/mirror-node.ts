import {javaClientProperties} from '../kafka/java-config.js'
import {MIRROR_PRINCIPAL} from '../security/principals.js'
import {jvmBase} from './kafka-node.js'
import {profileForLayout} from './layout-profile.js'
import type {RuntimeLayout, ServiceNode} from './graph.js'
import type {LaunchSpec} from './process.js'
import {writeWorkerFiles} from './worker-files.js'

/** The cluster aliases in MirrorMaker's properties (and so in its topic names: main.<topic>, main.checkpoints.internal). */
export const SOURCE_ALIAS = 'main'
export const TARGET_ALIAS = 'analytics'

/**
 * mm2.properties for the local full stack: the shared replication settings
 * of compose/mirror/mm2.properties, after the two clusters' addresses and
 * the mirror principal's credentials (0600: it holds the password).
 */
export function writeMirrorConfig(layout: RuntimeLayout, node: ServiceNode): {properties: string; log4j: string} {
  const connection = {
    clusters: `${SOURCE_ALIAS}, ${TARGET_ALIAS}`,
    ...javaClientProperties(profileForLayout(layout, 'mirror', MIRROR_PRINCIPAL, 'main'), `${SOURCE_ALIAS}.`),
    ...javaClientProperties(profileForLayout(layout, 'mirror', MIRROR_PRINCIPAL, 'analytics'), `${TARGET_ALIAS}.`),
    listeners: `http://${layout.host}:${node.ports.rest}`,
  }
  return writeWorkerFiles(node, ['mirror', 'mm2.properties'], connection)
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
