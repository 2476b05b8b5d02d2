import {Flags} from '@oclif/core'

import {defaultKeysFile, listKeys, type KeyInfo} from '../../../src/gateway/index.js'
import {BaseCommand} from '../../../src/ui/base-command.js'
import {renderTable} from '../../../src/ui/table.js'

export default class GatewayKeysList extends BaseCommand<typeof GatewayKeysList> {
  static override summary = "List the gateway's API keys (never the keys themselves)."
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --all --json']
  static override flags = {
    all: Flags.boolean({description: 'Also the revoked keys.', default: false}),
    'keys-file': Flags.string({description: 'The key file (default: <state dir>/gateway/keys.json).'}),
  }

  async run(): Promise<{keys: KeyInfo[]}> {
    const file = this.flags['keys-file'] ?? defaultKeysFile(this.connection().profile.stateDir)
    const keys = listKeys(file).filter((k) => this.flags.all || k.active)
    if (keys.length === 0) this.log(`No${this.flags.all ? '' : ' active'} gateway keys in ${file}: create one with \`mkt gateway keys create\`.`)
    else
      this.log(
        renderTable(
          ['name', 'id', 'role', 'store', 'principal', 'created', ...(this.flags.all ? ['revoked'] : [])],
          keys.map((k) => [k.name, k.id, k.role, k.store ?? '', k.principal, k.created_at, ...(this.flags.all ? [k.revoked_at ?? ''] : [])]),
        ),
      )
    return {keys}
  }
}
