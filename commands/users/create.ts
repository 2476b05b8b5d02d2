import {Args} from '@oclif/core'

import {createUser} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class UsersCreate extends BaseCommand<typeof UsersCreate> {
  static override summary = 'Create a SCRAM-SHA-512 user with a generated password.'
  static override description = `The password is generated, stored in <state-dir>/secrets/NAME.password (0600) and never printed; a profile PROFILE:NAME that reads it is written, so \`--profile local:NAME\` connects as the new user. The user may do nothing until an ACL allows it: add it to compose/acls.yaml (or your copy) and run \`mkt acl apply\`.`
  static override examples = ['<%= config.bin %> <%= command.id %> reporting', '<%= config.bin %> acl apply --file my-acls.yaml']

  static override args = {name: Args.string({description: 'User name (a-z, 0-9, ".", "_", "-").', required: true})}

  async run(): Promise<{name: string; profile: string; passwordFile: string}> {
    const {profile} = this.connection()
    const created = await createUser(profile, this.args.name)
    this.log(`Created user ${created.name}; its password is in ${created.passwordFile}; profile "${created.profile}" connects as it.`)
    this.log('It has no rights yet: grant them in the ACL file and run `mkt acl apply`.')
    return created
  }
}
