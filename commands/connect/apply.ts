import {Flags} from '@oclif/core'

import {applyConnectors, loadConnectorSpecs, type ConnectorChange} from '../../src/connect/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {connectUrlFor} from '../../src/ui/connect-url.js'
import {renderTable} from '../../src/ui/table.js'

export default class ConnectApply extends BaseCommand<typeof ConnectApply> {
  static override summary = 'Make Kafka Connect run the connectors of compose/connect (create, update, or leave alone).'
  static override description = `Each *.json file holds {"name": ..., "config": {...}}. A connector that does not exist is created; one whose running config differs is updated (Connect restarts its tasks); an equal one is left alone. Connectors that are not in the files are not touched. \`mkt infra up --stack full\` runs this for you.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Show what would change', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Another worker and folder', command: '<%= config.bin %> <%= command.id %> --connect-url http://connect:8083 --dir ./connectors'},
  ]

  static override flags = {
    dir: Flags.string({description: 'Folder of connector JSON files (default: compose/connect).'}),
    'dry-run': Flags.boolean({description: 'Report the changes without making them.'}),
    'connect-url': Flags.string({description: "Kafka Connect's REST API (default: MKT_CONNECT_URL, the profile's connectUrl, http://127.0.0.1:8083)."}),
  }

  async run(): Promise<{connectors: ConnectorChange[]; dryRun: boolean}> {
    const {profile} = this.connection()
    const specs = loadConnectorSpecs(this.flags.dir)
    const connectors = await applyConnectors(connectUrlFor(profile, this.flags['connect-url']), specs, {dryRun: this.flags['dry-run']})
    if (connectors.length === 0) this.log('No connector files found.')
    else
      this.log(
        renderTable(
          ['connector', this.flags['dry-run'] ? 'would be' : 'change', 'keys'],
          connectors.map((c) => [c.name, c.change, c.keys?.join(', ') ?? '']),
        ),
      )
    return {connectors, dryRun: this.flags['dry-run']}
  }
}
