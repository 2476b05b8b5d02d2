import {Flags} from '@oclif/core'

import {addBans, type BanResult} from '../../src/bans/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class BanAdd extends BaseCommand<typeof BanAdd> {
  static override summary = 'Ban a product (by id) or a SKU; banning again updates the reason.'
  static override description =
    'Writes key product:<id> or sku:<sku> to the compacted topic banned-products, the only source of truth. A running `mkt filter start` applies it to every card it consumes once the ban is visible (within about a second).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --product-id 12347 --reason "Поддельный товар"',
    '<%= config.bin %> <%= command.id %> --sku LANVIN-12390 --reason "Нет сертификата соответствия" --by compliance',
  ]

  static override flags = {
    'product-id': Flags.string({description: 'Product id to ban.', exactlyOne: ['product-id', 'sku']}),
    sku: Flags.string({description: 'SKU to ban (every product with it).'}),
    reason: Flags.string({description: 'Why; shown in `ban list` and in the filter audit.', required: true}),
    by: Flags.string({description: 'Who bans (default: $USER).'}),
  }

  async run(): Promise<BanResult> {
    const {flags} = this
    const [result] = await addBans(this.connection().profile, [
      {
        ...(flags['product-id'] ? {productId: flags['product-id']} : {}),
        ...(flags.sku ? {sku: flags.sku} : {}),
        reason: flags.reason,
        ...(flags.by ? {bannedBy: flags.by} : {}),
      },
    ])
    this.log(`${result!.updated ? 'Updated the ban of' : 'Banned'} ${result!.ban.key}: ${result!.ban.reason}`)
    return result!
  }
}
