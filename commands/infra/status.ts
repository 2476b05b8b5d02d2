import {chooseRuntime, dockerStatus, localRuntimeStatus, type DockerServiceStatus, type RuntimeStatus} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {runtimeFlag, stateDirFlag} from '../../src/ui/infra-flags.js'
import {formatBytes, formatDuration, renderTable, stateColor} from '../../src/ui/table.js'

export default class InfraStatus extends BaseCommand<typeof InfraStatus> {
  static override summary = 'Show each local service: state, pid, ports, uptime, data size.'
  static override description =
    'Reads the runtime state directory; "crashed" means a pid file whose process is gone (see `mkt infra logs SERVICE`), "frozen" a process stopped with SIGSTOP (`mkt infra kill SERVICE --signal CONT` thaws it). For what the profile can reach over the network, use `mkt status`.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {'state-dir': stateDirFlag, runtime: runtimeFlag}

  async run(): Promise<RuntimeStatus | {runtime: 'docker'; stack: string; services: DockerServiceStatus[]}> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    if ((await chooseRuntime(this.flags.runtime, stateDir, false)) === 'docker') {
      const status = await dockerStatus(stateDir)
      this.log(`Compose deployment (${status.stack} stack, project mkt) of ${stateDir}:`)
      this.log(
        renderTable(
          ['service', 'state', 'health', 'ports'],
          status.services.map((s) => [
            s.name,
            stateColor(s.state === 'running' ? 'running' : s.exitCode === 0 ? 'stopped' : 'crashed'),
            s.health ?? (s.exitCode === undefined ? '-' : `exit ${s.exitCode}`),
            s.ports.join(', '),
          ]),
        ),
      )
      return {runtime: 'docker', ...status}
    }
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
