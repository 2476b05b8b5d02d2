import fs from 'node:fs'
import path from 'node:path'

import {writePrivateFile} from '../config/private-file.js'
import {MktError} from '../errors.js'
import {prometheusTargetsDir} from '../metrics/index.js'
import {renderAlertmanagerConfig} from '../monitoring/index.js'
import {composePath} from '../package-root.js'
import type {RuntimeLayout, ServiceNode} from './graph.js'
import type {LaunchSpec} from './process.js'

/** The Debian binaries, else the upstream names (a tarball on PATH). */
const BINARIES = {prometheus: ['prometheus'], alertmanager: ['prometheus-alertmanager', 'alertmanager']} as const

function onPath(name: string, env = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      return file
    } catch {}
  }
  return undefined
}

/** The absolute path of Prometheus's or Alertmanager's binary, or a clear error with the install command. */
export function monitoringBinary(kind: 'prometheus' | 'alertmanager', env = process.env): string {
  for (const name of BINARIES[kind]) {
    const found = onPath(name, env)
    if (found) return found
  }
  throw new MktError(
    `The full stack runs ${kind === 'prometheus' ? 'Prometheus' : 'Alertmanager'}, but no ${BINARIES[kind].join(' or ')} binary is on PATH.`,
    'Install it (Debian/Ubuntu: `sudo apt-get install -y prometheus prometheus-alertmanager`) and run `mkt infra up --stack full` again.',
    'prerequisite',
  )
}

interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

/** The file-based service discovery files for what the runtime runs: one per job file named in compose/prometheus/prometheus.yml. */
export function runtimeTargets(layout: RuntimeLayout, graph: ServiceNode[]): Record<string, TargetGroup[]> {
  const group = (node: ServiceNode, port: number | undefined, cluster: string): TargetGroup[] =>
    port === undefined ? [] : [{targets: [`${layout.host}:${port}`], labels: {cluster, service: node.name}}]
  const of = (kind: ServiceNode['kind'], port: string, cluster?: 'main' | 'analytics') =>
    graph
      .filter((n) => n.kind === kind && (cluster === undefined || (n.cluster ?? 'main') === cluster))
      .flatMap((n) => group(n, n.ports[port], n.cluster ?? 'main'))
  return {
    'prometheus.json': of('prometheus', 'http'),
    'alertmanager.json': of('alertmanager', 'http'),
    'kafka-main.json': of('kafka', 'metrics', 'main'),
    'kafka-analytics.json': of('kafka', 'metrics', 'analytics'),
    'connect.json': of('connect', 'metrics'),
    'mirror.json': of('mirror', 'metrics'),
  }
}

/**
 * Prometheus's files under its data dir: compose/prometheus's config and
 * rules (copied afresh on every start, so an edit applies at the next one)
 * and the targets of this runtime.
 */
export function writePrometheusFiles(layout: RuntimeLayout, node: ServiceNode, graph: ServiceNode[]): string {
  const config = path.join(node.dataDir, 'prometheus.yml')
  fs.mkdirSync(path.join(prometheusTargetsDir(layout.stateDir), 'workers'), {recursive: true})
  fs.copyFileSync(composePath('prometheus', 'prometheus.yml'), config)
  fs.rmSync(path.join(node.dataDir, 'rules'), {recursive: true, force: true})
  fs.cpSync(composePath('prometheus', 'rules'), path.join(node.dataDir, 'rules'), {recursive: true})
  for (const [file, groups] of Object.entries(runtimeTargets(layout, graph)))
    fs.writeFileSync(path.join(prometheusTargetsDir(layout.stateDir), file), `${JSON.stringify(groups, null, 2)}\n`)
  return config
}

export function prometheusLaunch(binary: string, layout: RuntimeLayout, node: ServiceNode, config: string): LaunchSpec {
  return {
    command: binary,
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(node.dataDir, 'data')}`,
      '--storage.tsdb.retention.time=7d',
      `--web.listen-address=${layout.host}:${node.ports.http}`,
      // POST /-/reload re-reads the config and rules without a restart.
      '--web.enable-lifecycle',
    ],
    env: {},
    cwd: node.dataDir,
  }
}

/** alertmanager.yml rendered from the environment (0600: it may name SMTP settings). */
export function writeAlertmanagerConfig(node: ServiceNode, env: NodeJS.ProcessEnv = process.env): string {
  const file = path.join(node.dataDir, 'alertmanager.yml')
  writePrivateFile(file, renderAlertmanagerConfig(fs.readFileSync(composePath('alertmanager', 'alertmanager.yml'), 'utf8'), env))
  return file
}

export function alertmanagerLaunch(binary: string, layout: RuntimeLayout, node: ServiceNode, config: string): LaunchSpec {
  return {
    command: binary,
    args: [
      `--config.file=${config}`,
      `--storage.path=${path.join(node.dataDir, 'data')}`,
      `--web.listen-address=${layout.host}:${node.ports.http}`,
      // One Alertmanager, no high-availability peers: no gossip port to clash with.
      '--cluster.listen-address=',
    ],
    env: {},
    cwd: node.dataDir,
  }
}
