import {Flags} from '@oclif/core'

import {stopLocalRuntime, type StopResult} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {stateDirFlag} from '../../src/ui/infra-flags.js'
import {createProgress} from '../../src/ui/progress.js'

export default class InfraDown extends BaseCommand<typeof InfraDown> {
  static override summary = 'Stop the local runtime (data is kept unless --purge).'
  static override description =
    'Stops services in reverse dependency order: SIGTERM, then SIGKILL after --timeout seconds. Data, topics and schemas survive; `mkt infra up` resumes them. --purge also deletes the state directory.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Stop and delete all local data', command: '<%= config.bin %> <%= command.id %> --purge'},
  ]

  static override flags = {
    purge: Flags.boolean({description: 'Also delete all data, logs and the runtime state.'}),
    timeout: Flags.integer({description: 'Seconds to wait for a graceful stop before SIGKILL.', default: 30, min: 1}),
    'state-dir': stateDirFlag,
  }

  async run(): Promise<StopResult & {stateDir: string}> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
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
