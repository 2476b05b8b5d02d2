import {Args, Flags} from '@oclif/core'

import {chooseRuntime, dockerLogs, findService, logFile, streamLog} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {runtimeFlag, stateDirFlag} from '../../src/ui/infra-flags.js'

export default class InfraLogs extends BaseCommand<typeof InfraLogs> {
  static override summary =
    'Print the log of one local service (kafka-1…kafka-3, registry; full stack also analytics-1, mirror, connect, prometheus, alertmanager, hdfs-namenode, hdfs-datanode, spark-master, spark-worker).'
  static override description =
    'Prints the last --lines lines of the service log; --follow keeps printing what is appended until Ctrl-C. With --json prints {service, file} so scripts can find the file.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> kafka-1',
    '<%= config.bin %> <%= command.id %> registry -f',
    '<%= config.bin %> <%= command.id %> kafka-2 -n 200',
    '<%= config.bin %> <%= command.id %> filter --runtime docker -f',
  ]
  static override args = {service: Args.string({required: true, description: 'Service name, as `mkt infra status` lists it.'})}
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines (blocks until Ctrl-C).'}),
    lines: Flags.integer({char: 'n', description: 'How many lines from the end to print first.', default: 50, min: 0}),
    'state-dir': stateDirFlag,
    runtime: runtimeFlag,
  }

  async run(): Promise<{service: string; file?: string; code?: number}> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    if ((await chooseRuntime(this.flags.runtime, stateDir, false)) === 'docker') {
      // The container's log, as `docker compose logs` prints it.
      const code = await dockerLogs(stateDir, this.args.service, {follow: this.flags.follow, lines: this.flags.lines})
      if (code !== 0) process.exitCode = code
      return {service: this.args.service, code}
    }
    const node = findService(stateDir, this.args.service)
    const file = logFile(node.dataDir)
    if (this.jsonEnabled()) return {service: node.name, file}
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    await streamLog(file, {lines: this.flags.lines, follow: this.flags.follow, signal: stop.signal, write: (t) => process.stdout.write(t)})
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    return {service: node.name, file}
  }
}
