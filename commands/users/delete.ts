import {Args} from '@oclif/core'

import {deleteUser} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class UsersDelete extends BaseCommand<typeof UsersDelete> {
  static override summary = 'Delete a SCRAM user, its stored password and its profile.'
  static override description = `Its ACLs stay until the ACL file no longer names it and \`mkt acl apply\` runs. admin, broker and controller cannot be deleted.`
  static override examples = ['<%= config.bin %> <%= command.id %> reporting']

  static override args = {name: Args.string({description: 'User name.', required: true})}

  async run(): Promise<{name: string; removedProfiles: string[]}> {
    const {profile} = this.connection()
    const deleted = await deleteUser(profile, this.args.name)
    this.log(`Deleted user ${deleted.name}${deleted.removedProfiles.length > 0 ? ` and profile ${deleted.removedProfiles.join(', ')}` : ''}.`)
    return deleted
  }
}
