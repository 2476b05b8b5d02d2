import {Args} from '@oclif/core'

import {addBans, readBanFile, type BanResult} from '../../src/bans/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class BanImport extends BaseCommand<typeof BanImport> {
  static override summary = 'Ban everything a JSON file lists (e.g. data/banned.json).'
  static override description =
    'The file is a JSON array of {"product_id" or "sku", "reason", "banned_by"?}. Every entry is checked first; if one is wrong, nothing is written and the error names the entry.'
  static override examples = ['<%= config.bin %> <%= command.id %> data/banned.json']
  static override args = {file: Args.string({required: true, description: 'JSON array of bans.'})}

  async run(): Promise<{bans: BanResult[]}> {
    const bans = await addBans(this.connection().profile, readBanFile(this.args.file))
    const updated = bans.filter((b) => b.updated).length
    this.log(`Imported ${bans.length} ban(s) from ${this.args.file}: ${bans.length - updated} new, ${updated} updated.`)
    return {bans}
  }
}
