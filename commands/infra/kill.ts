import {Args, Flags} from '@oclif/core'

import {DRILL_SIGNALS, parseDrillSignal, signalService, type DrillSignal, type SignalResult} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {stateDirFlag} from '../../src/ui/infra-flags.js'

const signalFlag = Flags.custom<DrillSignal>({
  char: 's',
  description: `Signal to send: ${DRILL_SIGNALS.join(', ')} (also as SIGKILL or a number). STOP freezes the process, CONT thaws it.`,
  default: 'KILL',
  helpValue: DRILL_SIGNALS.join('|'),
  parse: async (input) => parseDrillSignal(input),
})

function describe(result: SignalResult): string {
  const who = `${result.service} (pid ${result.pid})`
  switch (result.signal) {
    case 'KILL':
      return `Killed ${who} with SIGKILL; \`mkt infra status\` shows it ${result.after}. \`mkt infra restart ${result.service}\` starts it again.`
    case 'STOP':
      return `Froze ${who} with SIGSTOP: it keeps its ports but answers nothing. \`mkt infra kill ${result.service} --signal CONT\` thaws it.`
    case 'CONT':
      return result.before === 'frozen'
        ? `Thawed ${who} with SIGCONT; it is ${result.after}.`
        : `Sent SIGCONT to ${who}; it was not frozen, so nothing changed.`
    case 'TERM':
      return `Sent SIGTERM to ${who}${result.before === 'frozen' ? ' and SIGCONT so it can act on it' : ''}: it shuts down gracefully. \`mkt infra restart ${result.service}\` starts it again.`
  }
}

export default class InfraKill extends BaseCommand<typeof InfraKill> {
  static override summary = 'Failure drill: send a signal to one local service (default SIGKILL; STOP freezes it, CONT thaws it).'
  static override description = `Sends the signal to the supervised process of one service of the local runtime (kafka-1…kafka-3, registry, as \`mkt infra status\` lists them) and waits until it takes effect. After KILL the service shows as "crashed", after STOP as "frozen" (alive, ports held, no answers, as a hung JVM or a long GC pause looks to clients), after CONT as "running" again. Bring a killed service back with \`mkt infra restart SERVICE\` (or \`mkt infra up\`).

With --json prints {service, pid, signal}.`
  static override examples = [
    {description: 'Crash the broker', command: '<%= config.bin %> <%= command.id %> kafka-1'},
    {
      description: 'Freeze the registry, then thaw it',
      command: '<%= config.bin %> <%= command.id %> registry --signal STOP && <%= config.bin %> <%= command.id %> registry --signal CONT',
    },
    {description: 'A graceful stop of one broker of three', command: '<%= config.bin %> <%= command.id %> kafka-3 --signal TERM'},
  ]

  static override args = {service: Args.string({required: true, description: 'Service name, as `mkt infra status` lists it.'})}
  static override flags = {signal: signalFlag(), 'state-dir': stateDirFlag}

  async run(): Promise<{service: string; pid: number; signal: DrillSignal}> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const result = await signalService(stateDir, this.args.service, this.flags.signal)
    this.log(describe(result))
    return {service: result.service, pid: result.pid, signal: result.signal}
  }
}
