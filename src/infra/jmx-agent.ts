import fs from 'node:fs'
import path from 'node:path'

import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'
import type {ServiceNode} from './graph.js'
import type {LaunchSpec} from './process.js'

/**
 * A service JVM with the Prometheus JMX exporter attached as a java agent,
 * serving /metrics on the node's metrics port with the rules in
 * compose/jmx/ (brokers: kafka.yml; Connect and MirrorMaker 2: connect.yml).
 * Only services get it: Kafka's command-line tools start without it.
 */
export function withJmxAgent(launch: LaunchSpec, agentDir: string, node: ServiceNode, host: string): LaunchSpec {
  const port = node.ports.metrics
  if (port === undefined) return launch
  const jar = fs.readdirSync(agentDir).find((f) => /^jmx_prometheus_javaagent-.+\.jar$/.test(f))
  if (!jar) throw new MktError(`No JMX exporter agent jar in ${agentDir}.`, `Delete ${agentDir} and run \`mkt infra up\` again to resolve it afresh.`, 'infra')
  const rules = composePath('jmx', node.kind === 'kafka' ? 'kafka.yml' : 'connect.yml')
  return {...launch, args: [`-javaagent:${path.join(agentDir, jar)}=${host}:${port}:${rules}`, ...launch.args]}
}
