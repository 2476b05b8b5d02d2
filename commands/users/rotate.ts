import {Args} from '@oclif/core'

import {rotateUser} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class UsersRotate extends BaseCommand<typeof UsersRotate> {
  static override summary = 'Give a user a new generated password.'
  static override description = `The brokers get the new SCRAM credentials and <state-dir>/secrets/NAME.password the new password; profiles read that file, so they keep working. Connections already open stay authenticated until they reconnect; a running worker of that user picks the new password up when it restarts. The broker and controller passwords live in the nodes' configs and are not rotated here.`
  static override examples = ['<%= config.bin %> <%= command.id %> shop']

  static override args = {name: Args.string({description: 'User name.', required: true})}

  async run(): Promise<{name: string; passwordFile: string}> {
    const {profile} = this.connection()
    const rotated = await rotateUser(profile, this.args.name)
    this.log(`New password for ${rotated.name} in ${rotated.passwordFile}.`)
    return rotated
  }
}
