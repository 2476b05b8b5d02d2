import {Args} from '@oclif/core'

import {configFilePath, useProfile} from '../../src/config/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class ProfileUse extends BaseCommand<typeof ProfileUse> {
  static override summary = 'Make a profile the current one.'
  static override description = 'Every later command uses it unless --profile or MKT_PROFILE says otherwise.'
  static override examples = ['<%= config.bin %> <%= command.id %> local']
  static override args = {name: Args.string({required: true, description: 'Profile name, as `mkt profile list` shows it.'})}

  async run(): Promise<{current: string; file: string}> {
    const file = configFilePath()
    useProfile(this.args.name, file)
    this.log(`Now using profile "${this.args.name}".`)
    return {current: this.args.name, file}
  }
}
