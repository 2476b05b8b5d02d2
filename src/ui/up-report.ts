import chalk from 'chalk'

import {alertmanagerUrl, hdfsUri, prometheusUrl, sparkMasterUrl} from '../infra/graph.js'
import type {UpResult} from '../infra/runtime.js'

/** What `mkt infra up` tells a person: what runs, what was applied, how to connect. */
export function upReport(result: UpResult): string[] {
  const lines: string[] = []
  const {layout} = result.state
  if (result.alreadyRunning && result.thawed.length > 0)
    lines.push(`The runtime in ${layout.stateDir} is running; thawed ${result.thawed.join(', ')} (it was frozen).`)
  else if (result.alreadyRunning) lines.push(`The runtime in ${layout.stateDir} is already running; nothing to do.`)
  else
    lines.push(
      chalk.green(
        `Runtime up: ${layout.brokers} broker(s), registry on port ${layout.registryPort}${layout.stack === 'full' ? `, analytics cluster on ${layout.analyticsPort}, MirrorMaker 2, Kafka Connect on ${layout.connectPort}, Prometheus, Alertmanager, Spark, HDFS` : ''}.`,
      ),
    )
  for (const line of result.topics?.applied ?? []) lines.push(`  topics: ${line}`)
  for (const c of result.connectors ?? []) lines.push(`  connector ${c.name}: ${c.change}`)
  if (result.acls)
    lines.push(`  acls: ${result.acls.add.length} added, ${result.acls.remove.length + result.acls.foreign.length} removed, ${result.acls.unchanged} unchanged`)
  if (layout.security === 'sasl_ssl') {
    lines.push(`Secure: TLS (CA ${layout.stateDir}/certs/ca.pem), SASL/SCRAM-SHA-512, ACLs from compose/acls.yaml.`)
    lines.push(`Profiles: ${result.profiles.join(', ')}; each command runs as its own principal (\`mkt filter start\` as ${result.profileName}:filter).`)
  } else lines.push(chalk.yellow('Insecure: plaintext, no authentication, no ACLs (--insecure).'))
  if (layout.stack === 'full')
    lines.push(
      `Lake: Spark master ${sparkMasterUrl(layout)} (web UI port ${layout.sparkPort + 1}), HDFS ${hdfsUri(layout)}; \`mkt infra hdfs -ls -R /\` lists it.`,
    )
  if (layout.stack === 'full')
    lines.push(
      `Monitoring: Prometheus ${prometheusUrl(layout)}, Alertmanager ${alertmanagerUrl(layout)}; \`mkt top\` shows the platform live, \`mkt alerts\` what fires.`,
    )
  lines.push(
    `Profile "${result.profileName}" → brokers ${layout.host}:${layout.kafkaPort}${layout.brokers > 1 ? ` (+${layout.brokers - 1})` : ''}. Try \`mkt status\` or \`mkt topics list\`.`,
  )
  return lines
}
