import {loadBans, type Ban} from '../../src/bans/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

export default class BanList extends BaseCommand<typeof BanList> {
  static override summary = 'List what is banned, newest first.'
  static override description = 'Reads the compacted topic banned-products to its end: the latest value of every key, tombstones removed.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{bans: Ban[]}> {
    const bans = (await loadBans(this.connection().profile)).list()
    if (bans.length === 0) this.log('Nothing is banned.')
    else
      this.log(
        renderTable(
          ['banned', 'reason', 'by', 'since'],
          bans.map((b) => [b.key, b.reason, b.banned_by, b.banned_at.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z')]),
        ),
      )
    return {bans}
  }
}
