import {listUsers, type UserInfo} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

export default class UsersList extends BaseCommand<typeof UsersList> {
  static override summary = 'List the SCRAM users of the cluster.'
  static override description = `Every user the brokers hold SCRAM credentials for, its kind (super: admin and the cluster's own; service: one of mkt's services; other) and whether its password is stored under the state dir. Passwords are never shown. Needs the admin.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<UserInfo[]> {
    const {profile} = this.connection()
    const users = await listUsers(profile)
    this.log(
      renderTable(
        ['user', 'kind', 'mechanisms', 'password stored'],
        users.map((u) => [u.name, u.kind, u.mechanisms.join(', '), u.passwordStored ? 'yes' : 'no']),
      ),
    )
    return users
  }
}
