import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {writePrivateFile} from '../../../src/config/private-file.js'
import {createKey, defaultKeysFile, KEY_ROLES, type KeyInfo} from '../../../src/gateway/index.js'
import {BaseCommand} from '../../../src/ui/base-command.js'

export default class GatewayKeysCreate extends BaseCommand<typeof GatewayKeysCreate> {
  static override summary = 'Create an API key for the HTTP gateway (a shop, a storefront or an admin).'
  static override description = `The key is shown once and only its SHA-256 is stored (in --keys-file, 0600). A running gateway accepts it at once.

Each kind of key acts as its own Kafka principal: shop keys as "shop" (POST /v1/products, cards of their --store only), storefront keys as "client" (search, views, recommendations), admin keys as "admin" (bans too).`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --name store-1-backoffice --role shop --store store-1',
    '<%= config.bin %> <%= command.id %> --name web --role storefront --output-file ~/.mkt/web.key',
    '<%= config.bin %> <%= command.id %> --name moderators --role admin --json',
  ]
  static override flags = {
    name: Flags.string({description: 'A name for the key (unique among active keys).', required: true}),
    role: Flags.string({description: 'What the key may do.', options: [...KEY_ROLES], required: true}),
    store: Flags.string({description: 'For a shop key: the store_id whose cards it may send.'}),
    'keys-file': Flags.string({description: 'The key file (default: <state dir>/gateway/keys.json).'}),
    'output-file': Flags.string({description: 'Write the key to this file (0600) instead of printing it.'}),
  }

  async run(): Promise<KeyInfo & {key?: string; keyFile?: string}> {
    const {flags} = this
    const file = flags['keys-file'] ?? defaultKeysFile(this.connection().profile.stateDir)
    const {key, info} = createKey(file, {name: flags.name, role: flags.role, ...(flags.store ? {store: flags.store} : {})})
    if (flags['output-file']) {
      writePrivateFile(flags['output-file'], `${key}\n`)
      this.log(`Created ${info.role} key ${info.name} (${info.id}); the key is in ${flags['output-file']}.`)
      return {...info, keyFile: flags['output-file']}
    }
    this.log(key)
    process.stderr.write(
      chalk.dim(
        `Created ${info.role} key ${info.name} (${info.id}), acting as Kafka principal ${info.principal}. It is shown only now: send it as the X-API-Key header.\n`,
      ),
    )
    return {...info, key}
  }
}
