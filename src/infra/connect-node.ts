import fs from 'node:fs'
import path from 'node:path'

import {javaClientProperties} from '../kafka/java-config.js'
import {CONNECT_PRINCIPAL} from '../security/principals.js'
import {writeWorkerFiles} from './worker-files.js'
import {jvmBase} from './kafka-node.js'
import {profileForLayout} from './layout-profile.js'
import type {RuntimeLayout, ServiceNode} from './graph.js'
import type {LaunchSpec} from './process.js'

/** Where the file sink writes (the worker's MKT_SINK_DIR, which connector configs name as ${env:MKT_SINK_DIR}). */
export function sinkDir(stateDir: string): string {
  return path.join(stateDir, 'sink')
}

/**
 * Each plugin in its own folder under plugin.path, as Connect isolates them:
 * symlinks to the resolved artifact folders, so a new version is a new link.
 */
function writePluginPath(node: ServiceNode, plugins: Record<string, string>): string {
  const dir = path.join(node.dataDir, 'plugins')
  fs.rmSync(dir, {recursive: true, force: true})
  fs.mkdirSync(dir, {recursive: true})
  for (const [name, target] of Object.entries(plugins)) fs.symlinkSync(target, path.join(dir, name))
  return dir
}

/**
 * The worker's properties for the local full stack: compose/connect/worker.properties
 * after the brokers, the REST listener, plugin.path and the connect
 * principal's credentials for the worker and for its tasks' clients (0600).
 */
export function writeConnectConfig(layout: RuntimeLayout, node: ServiceNode, plugins: Record<string, string>): {properties: string; log4j: string} {
  fs.mkdirSync(node.dataDir, {recursive: true})
  fs.mkdirSync(sinkDir(layout.stateDir), {recursive: true})
  const profile = profileForLayout(layout, 'connect', CONNECT_PRINCIPAL)
  const {'bootstrap.servers': bootstrap, ...security} = javaClientProperties(profile)
  const prefixed = (prefix: string) => Object.fromEntries(Object.entries(security).map(([k, v]) => [`${prefix}${k}`, v]))
  const connection = {
    'bootstrap.servers': bootstrap!,
    ...security,
    ...prefixed('producer.'),
    ...prefixed('consumer.'),
    ...prefixed('admin.'),
    listeners: `http://${layout.host}:${node.ports.rest}`,
    'rest.advertised.host.name': layout.host,
    'rest.advertised.port': String(node.ports.rest),
    'plugin.path': writePluginPath(node, plugins),
  }
  return writeWorkerFiles(node, ['connect', 'worker.properties'], connection)
}

export function connectLaunch(
  java: string,
  kafkaLibs: string,
  node: ServiceNode,
  layout: RuntimeLayout,
  files: {properties: string; log4j: string},
): LaunchSpec {
  return {
    command: java,
    args: [
      '-Xms128m',
      '-Xmx768m',
      ...jvmBase(kafkaLibs, node, layout.stateDir, files.log4j),
      'org.apache.kafka.connect.cli.ConnectDistributed',
      files.properties,
    ],
    // What connector configs may name as ${env:...}: where the file sink writes, and the registry's API for the Avro converter.
    env: {MKT_SINK_DIR: sinkDir(layout.stateDir), MKT_REGISTRY_API_URL: `http://${layout.host}:${layout.registryPort}/apis/registry/v2`},
    cwd: node.dataDir,
  }
}
