import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {listTopics, type TopicListing} from '../../src/topics/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

export default class TopicsList extends BaseCommand<typeof TopicsList> {
  static override summary = 'List topics with partitions, replication, ISR health and configs.'
  static override description =
    'One row per topic on the cluster. "spec" tells whether compose/topics.yaml declares it; "under-replicated" counts partitions whose ISR is smaller than their replica set.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --all --json']
  static override flags = {
    all: Flags.boolean({char: 'a', description: 'Include internal topics (names starting with "_").'}),
  }

  async run(): Promise<{topics: TopicListing[]}> {
    const topics = await listTopics(this.connection().profile, {includeInternal: this.flags.all})
    if (topics.length === 0) {
      this.log('No topics. Run `mkt topics apply` to create the platform topics.')
      return {topics}
    }
    this.log(
      renderTable(
        ['topic', 'partitions', 'replication', 'under-replicated', 'configs', 'spec'],
        topics.map((t) => [
          t.name,
          t.partitions,
          t.replication,
          t.underReplicated > 0 ? chalk.red(String(t.underReplicated)) : '0',
          Object.entries(t.configs)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || '-',
          t.inSpec ? 'yes' : t.internal ? 'internal' : 'no',
        ]),
      ),
    )
    return {topics}
  }
}
