import {Args, Flags} from '@oclif/core'

import {defaultKeysFile, revokeKey, type KeyInfo} from '../../../src/gateway/index.js'
import {BaseCommand} from '../../../src/ui/base-command.js'

export default class GatewayKeysRevoke extends BaseCommand<typeof GatewayKeysRevoke> {
  static override summary = 'Revoke a gateway API key; a running gateway refuses it from its next request on.'
  static override examples = ['<%= config.bin %> <%= command.id %> store-1-backoffice']
  static override args = {key: Args.string({description: 'The name or id of the key.', required: true})}
  static override flags = {'keys-file': Flags.string({description: 'The key file (default: <state dir>/gateway/keys.json).'})}

  async run(): Promise<KeyInfo> {
    const file = this.flags['keys-file'] ?? defaultKeysFile(this.connection().profile.stateDir)
    const info = revokeKey(file, this.args.key)
    this.log(`Revoked ${info.role} key ${info.name} (${info.id}).`)
    return info
  }
}
