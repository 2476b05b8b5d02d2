import chalk from 'chalk'

import {kafkaHealth, type KafkaHealth} from '../src/kafka/index.js'
import {registryHealth, type RegistryHealth} from '../src/schema/index.js'
import {BaseCommand} from '../src/ui/base-command.js'
import {renderTable, stateColor} from '../src/ui/table.js'
import {ExitCode} from '../src/errors.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Check what the active profile reaches: brokers, controller, schema registry.'
  static override description = `Connects with the profile's settings (TLS and SASL included) and reports each component. Exits with ${ExitCode.unreachable} when any of them is unreachable, so scripts can wait on it.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --profile prod',
  ]

  async run(): Promise<{profile: string; ok: boolean; kafka: KafkaHealth; registry: RegistryHealth}> {
    const {profile} = this.connection()
    const [kafka, registry] = await Promise.all([kafkaHealth(profile), registryHealth(profile)])
    const ok = kafka.reachable && registry.reachable
    this.log(`Profile ${chalk.bold(profile.name)}`)
    const rows: string[][] = [
      [
        'kafka',
        profile.brokers.join(','),
        stateColor(kafka.reachable ? 'reachable' : 'unreachable'),
        kafka.reachable ? `cluster ${kafka.clusterId}, ${kafka.brokers!.length} broker(s)` : (kafka.error ?? ''),
      ],
    ]
    if (kafka.reachable) {
      rows.push(['controller', `node ${kafka.controller}`, stateColor(kafka.controller !== undefined && kafka.controller >= 0 ? 'ok' : 'none'), ''])
      for (const b of kafka.brokers!)
        rows.push([`broker ${b.nodeId}`, `${b.host}:${b.port}`, stateColor('reachable'), b.nodeId === kafka.controller ? 'active controller' : ''])
    }
    rows.push([
      'schema registry',
      registry.url,
      stateColor(registry.reachable ? 'reachable' : 'unreachable'),
      registry.reachable ? `compatibility ${registry.compatibility}, ${registry.subjects} subject(s)` : (registry.error ?? ''),
    ])
    this.log(renderTable(['component', 'endpoint', 'status', 'detail'], rows))
    if (!ok) process.exitCode = ExitCode.unreachable
    return {profile: profile.name, ok, kafka, registry}
  }
}
