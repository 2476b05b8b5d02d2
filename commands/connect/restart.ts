import {Args, Flags} from '@oclif/core'

import {restartConnector, type ConnectorStatus} from '../../src/connect/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {connectUrlFor} from '../../src/ui/connect-url.js'

export default class ConnectRestart extends BaseCommand<typeof ConnectRestart> {
  static override summary = 'Restart a connector and its tasks (or only the failed ones).'
  static override examples = ['<%= config.bin %> <%= command.id %> catalog-file-sink', '<%= config.bin %> <%= command.id %> catalog-file-sink --failed-only']

  static override args = {name: Args.string({description: 'The connector (see `mkt connect status`).', required: true})}
  static override flags = {
    'failed-only': Flags.boolean({description: 'Restart only what has FAILED.'}),
    'connect-url': Flags.string({description: "Kafka Connect's REST API (default: MKT_CONNECT_URL, the profile's connectUrl, http://127.0.0.1:8083)."}),
  }

  async run(): Promise<{connector?: ConnectorStatus}> {
    const {profile} = this.connection()
    const connector = await restartConnector(connectUrlFor(profile, this.flags['connect-url']), this.args.name, {failedOnly: this.flags['failed-only']})
    this.log(`Restarted ${this.args.name}${this.flags['failed-only'] ? ' (failed parts only)' : ''}; now ${connector?.state ?? 'unknown'}.`)
    return connector ? {connector} : {}
  }
}
