import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {runDemo, type DemoSection} from '../src/demo/index.js'
import {BaseCommand} from '../src/ui/base-command.js'
import {stateDirFlag} from '../src/ui/infra-flags.js'
import {createProgress} from '../src/ui/progress.js'
import {renderTable} from '../src/ui/table.js'

export default class Demo extends BaseCommand<typeof Demo> {
  static override summary = 'Run the whole platform once: runtime, sample catalogue, bans and filter, search, simulated clients, Spark, recommendations.'
  static override description = `One command after \`npm ci\`. Starts the local runtime (or reuses a running one), then walks through each capability with the sample data in data/ and prints what happened at every step. With --stack full it also kills a broker while shops send and shows each card once in filtered-products, on the analytics cluster and in the file sink. Each step says what it did and how long it took; a step that fails stops the demo with its error and how to retry. A runtime the demo started is stopped at the end (its data kept) unless --keep; one that was already running stays.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --keep',
    '<%= config.bin %> <%= command.id %> --brokers 3',
    '<%= config.bin %> <%= command.id %> --stack full',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static override flags = {
    brokers: Flags.option({options: ['1', '3'] as const, description: 'Kafka nodes for a new runtime (default 1; 3 with --stack full).'})(),
    stack: Flags.option({
      options: ['core', 'full'] as const,
      description:
        'full: also the analytics cluster, MirrorMaker 2 and Kafka Connect; the demo then kills a broker mid-send and shows every card once in each place.',
    })(),
    'state-dir': stateDirFlag,
    keep: Flags.boolean({description: 'Leave the runtime running afterwards (a runtime that was running before the demo always stays).'}),
  }

  async run(): Promise<{sections: DemoSection[]; steps: Record<string, unknown>; seconds: Record<string, number>; kept: boolean}> {
    const resolved = this.connection({allowUnknown: true})
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
    const sections: DemoSection[] = []
    const show = (section: DemoSection) => {
      sections.push(section)
      this.log(`\n${chalk.bold.cyan(`▸ ${section.title}`)}`)
      for (const line of section.lines) this.log(`  ${line}`)
      if (section.table) this.log(renderTable(section.table.head, section.table.rows).replaceAll(/^/gm, '  '))
    }
    try {
      const result = await runDemo({
        up: {
          stateDir: this.flags['state-dir'] ?? resolved.profile.stateDir,
          profileName: resolved.profile.name,
          overrides: {
            ...(this.flags.brokers ? {brokers: Number(this.flags.brokers) as 1 | 3} : {}),
            ...(this.flags.stack ? {stack: this.flags.stack} : {}),
          },
        },
        keep: this.flags.keep,
        onProgress: progress,
        show,
      })
      const total = Object.values(result.seconds).reduce((a, b) => a + b, 0)
      this.log(`\n${chalk.green('Done')} in ${total.toFixed(1)}s.`)
      return {sections, steps: result.steps, seconds: result.seconds, kept: result.kept}
    } finally {
      progress.stop()
    }
  }
}
