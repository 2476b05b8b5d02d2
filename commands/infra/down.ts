import {Flags} from '@oclif/core'

import {chooseRuntime, dockerDown, stopLocalRuntime, type StopResult} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {runtimeFlag, stateDirFlag} from '../../src/ui/infra-flags.js'
import {createProgress} from '../../src/ui/progress.js'

export default class InfraDown extends BaseCommand<typeof InfraDown> {
  static override summary = 'Stop the local runtime (data is kept unless --purge).'
  static override description =
    'Stops services in reverse dependency order: SIGTERM, then SIGKILL after --timeout seconds. Data, topics and schemas survive; `mkt infra up` resumes them. --purge also deletes the state directory.'
  static override examples = [
    {description: 'Stop the compose deployment, keeping its volumes', command: '<%= config.bin %> <%= command.id %> --runtime docker'},
    '<%= config.bin %> <%= command.id %>',
    {description: 'Stop and delete all local data', command: '<%= config.bin %> <%= command.id %> --purge'},
  ]

  static override flags = {
    purge: Flags.boolean({description: 'Also delete all data, logs and the runtime state.'}),
    timeout: Flags.integer({description: 'Seconds to wait for a graceful stop before SIGKILL.', default: 30, min: 1}),
    'state-dir': stateDirFlag,
    runtime: runtimeFlag,
  }

  async run(): Promise<(StopResult & {stateDir: string}) | {runtime: 'docker'; purged: boolean; stateDir: string}> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
    if ((await chooseRuntime(this.flags.runtime, stateDir, false)) === 'docker') {
      try {
        const {purged} = await dockerDown(stateDir, {purge: this.flags.purge, onProgress: progress})
        this.log(
          purged
            ? 'Compose deployment stopped; its volumes and the host copies of its secrets are deleted.'
            : 'Compose deployment stopped; its volumes are kept (`mkt infra up --runtime docker` resumes it).',
        )
        return {runtime: 'docker', purged, stateDir}
      } finally {
        progress.stop()
      }
    }
    let result: StopResult
    try {
      result = await stopLocalRuntime(stateDir, {purge: this.flags.purge, timeoutMs: this.flags.timeout * 1000, onProgress: progress})
    } finally {
      progress.stop()
    }
    if (result.stopped.length === 0) this.log(`No local runtime in ${stateDir}; nothing to stop.`)
    else if (result.stopped.every((s) => s.result === 'not-running') && !result.purged) this.log('Nothing was running.')
    else this.log(result.purged ? `Stopped and deleted ${stateDir}.` : `Stopped. Data kept in ${stateDir}; \`mkt infra up\` resumes it.`)
    return {...result, stateDir}
  }
}
