import {Args} from '@oclif/core'
import chalk from 'chalk'

import {listTopics, type TopicListing} from '../../src/topics/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

export default class TopicsDescribe extends BaseCommand<typeof TopicsDescribe> {
  static override summary = 'Show partitions (leader, replicas, ISR) and config overrides of topics.'
  static override description =
    'Describes the named topics, or every non-internal topic when none is named. An ISR shorter than the replica list is shown in red.'
  static override examples = ['<%= config.bin %> <%= command.id %> shop-products', '<%= config.bin %> <%= command.id %> banned-products recommendations --json']
  static override strict = false
  static override args = {topic: Args.string({description: 'Topic names (any number).'})}

  async run(): Promise<{topics: TopicListing[]}> {
    const names = this.positional
    const topics = await listTopics(this.connection().profile, names.length > 0 ? {names} : {})
    for (const t of topics) {
      this.log(chalk.bold(t.name) + (t.description ? chalk.dim(`  ${t.description}`) : ''))
      this.log(
        `  partitions ${t.partitions}, replication ${t.replication}, configs: ${
          Object.entries(t.configs)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '(cluster defaults)'
        }`,
      )
      this.log(
        renderTable(
          ['partition', 'leader', 'replicas', 'isr'],
          t.partitionDetails.map((p) => [
            p.partition,
            p.leader < 0 ? chalk.red('none') : p.leader,
            p.replicas.join(','),
            p.isr.length < p.replicas.length ? chalk.red(p.isr.join(',')) : p.isr.join(','),
          ]),
        ).replaceAll(/^/gm, '  '),
      )
    }
    return {topics}
  }
}
