import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {connectStatus, type ConnectorStatus} from '../../src/connect/index.js'
import {MktError} from '../../src/errors.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {connectUrlFor} from '../../src/ui/connect-url.js'
import {renderTable} from '../../src/ui/table.js'

const paint = (state: string) => (state === 'RUNNING' ? chalk.green(state) : state === 'FAILED' ? chalk.red(state) : chalk.yellow(state))

export default class ConnectStatus extends BaseCommand<typeof ConnectStatus> {
  static override summary = 'Each connector and task with its state and worker; a failed task with its error.'
  static override description = 'Exits 6 with --exit-code when a connector or a task is not RUNNING (for scripts and health checks).'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --exit-code',
  ]

  static override flags = {
    'connect-url': Flags.string({description: "Kafka Connect's REST API (default: MKT_CONNECT_URL, the profile's connectUrl, http://127.0.0.1:8083)."}),
    'exit-code': Flags.boolean({description: 'Exit 6 when anything is not RUNNING.'}),
  }

  async run(): Promise<{connectors: ConnectorStatus[]}> {
    const {profile} = this.connection()
    const url = connectUrlFor(profile, this.flags['connect-url'])
    const connectors = await connectStatus(url)
    if (connectors.length === 0) this.log(`Kafka Connect at ${url} runs no connector. Create them with \`mkt connect apply\`.`)
    else {
      const rows = connectors.flatMap((c) => [
        [c.name, 'connector', paint(c.state), c.worker, c.topics ?? ''],
        ...c.tasks.map((t) => [c.name, `task ${t.id}`, paint(t.state), t.worker, t.error ?? '']),
      ])
      this.log(renderTable(['connector', 'part', 'state', 'worker', 'topics / error'], rows))
    }
    const unhealthy = connectors.filter((c) => c.state !== 'RUNNING' || c.tasks.some((t) => t.state !== 'RUNNING'))
    if (this.flags['exit-code'] && unhealthy.length > 0)
      throw new MktError(
        `Not running: ${unhealthy.map((c) => c.name).join(', ')}.`,
        'See the errors above; `mkt connect restart NAME` restarts a connector and its tasks.',
        'infra',
      )
    return {connectors}
  }
}
