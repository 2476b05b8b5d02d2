import {localRuntimeStatus, type RuntimeStatus} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {stateDirFlag} from '../../src/ui/infra-flags.js'
import {formatBytes, formatDuration, renderTable, stateColor} from '../../src/ui/table.js'

export default class InfraStatus extends BaseCommand<typeof InfraStatus> {
  static override summary = 'Show each local service: state, pid, ports, uptime, data size.'
  static override description =
    'Reads the runtime state directory; "crashed" means a pid file whose process is gone (see `mkt infra logs SERVICE`), "frozen" a process stopped with SIGSTOP (`mkt infra kill SERVICE --signal CONT` thaws it). For what the profile can reach over the network, use `mkt status`.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {'state-dir': stateDirFlag}

  async run(): Promise<RuntimeStatus> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const status = localRuntimeStatus(stateDir)
    if (!status.exists) {
      this.log(`No local runtime in ${stateDir}. Start one with \`mkt infra up\`.`)
      return status
    }
    this.log(`Local runtime in ${stateDir}: ${status.brokers} broker(s), cluster ${status.clusterId}`)
    this.log(
      renderTable(
        ['service', 'state', 'pid', 'ports', 'uptime', 'data'],
        status.services.map((s) => [
          s.name,
          stateColor(s.state),
          s.pid ?? '-',
          Object.entries(s.ports)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          s.uptimeSeconds === undefined ? '-' : formatDuration(s.uptimeSeconds),
          formatBytes(s.dataBytes),
        ]),
      ),
    )
    return status
  }
}
