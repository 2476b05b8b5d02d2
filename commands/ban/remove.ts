import {Flags} from '@oclif/core'

import {removeBan, type Ban} from '../../src/bans/index.js'
import {ExitCode} from '../../src/errors.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class BanRemove extends BaseCommand<typeof BanRemove> {
  static override summary = 'Lift a ban (writes a tombstone).'
  static override description = `Cards of the product or SKU pass the filter again from then on. Exits ${ExitCode.notBanned} when it was not banned.`
  static override examples = ['<%= config.bin %> <%= command.id %> --product-id 12347', '<%= config.bin %> <%= command.id %> --sku LANVIN-12390']
  static override flags = {
    'product-id': Flags.string({description: 'Product id to unban.', exactlyOne: ['product-id', 'sku']}),
    sku: Flags.string({description: 'SKU to unban.'}),
  }

  async run(): Promise<{removed: Ban}> {
    const removed = await removeBan(this.connection().profile, {
      ...(this.flags['product-id'] ? {productId: this.flags['product-id']} : {}),
      ...(this.flags.sku ? {sku: this.flags.sku} : {}),
    })
    this.log(`Lifted the ban of ${removed.key} (was: ${removed.reason}).`)
    return {removed}
  }
}
