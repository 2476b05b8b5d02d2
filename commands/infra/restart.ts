import {Args, Flags} from '@oclif/core'
import chalk from 'chalk'

import {restartService, type RestartResult} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {stateDirFlag} from '../../src/ui/infra-flags.js'
import {createProgress} from '../../src/ui/progress.js'

export default class InfraRestart extends BaseCommand<typeof InfraRestart> {
  static override summary = 'Restart one local service (kafka-1…kafka-3, registry) and wait until it answers.'
  static override description = `Stops the service if its process exists (SIGTERM, then SIGKILL after --timeout seconds, as \`mkt infra down\`; a frozen process is thawed with SIGCONT first), then starts it exactly as \`mkt infra up\` does, on the same config and data, and waits until it answers: a broker accepts Kafka admin requests on its client port, the registry answers its health check. Also brings back a crashed service (after \`mkt infra kill\` or a real crash). The other services are not touched.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> kafka-1',
    {description: 'After `mkt infra kill registry`', command: '<%= config.bin %> <%= command.id %> registry'},
    {description: 'Give a broker 60 s to stop gracefully', command: '<%= config.bin %> <%= command.id %> kafka-2 --timeout 60'},
  ]

  static override args = {service: Args.string({required: true, description: 'Service name, as `mkt infra status` lists it.'})}
  static override flags = {
    timeout: Flags.integer({
      description: 'Seconds to wait for a graceful stop before SIGKILL (the restarted service then has 120 s to answer).',
      default: 30,
      min: 1,
    }),
    'state-dir': stateDirFlag,
  }

  async run(): Promise<RestartResult> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
    let result: RestartResult
    try {
      result = await restartService(stateDir, this.args.service, {stopTimeoutMs: this.flags.timeout * 1000, onProgress: progress})
    } finally {
      progress.stop()
    }
    const was =
      result.previous === 'running' || result.previous === 'frozen'
        ? `was ${result.previous}, ${result.stop === 'killed' ? 'killed after the timeout' : 'stopped gracefully'}`
        : `was ${result.previous}`
    const ports = Object.entries(result.ports)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
    this.log(chalk.green(`Restarted ${result.service} (${was}): pid ${result.pid}, it answers (${ports}).`))
    return result
  }
}
