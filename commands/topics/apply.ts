import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {applyTopicSpec, describeAction, type ApplyResult} from '../../src/topics/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class TopicsApply extends BaseCommand<typeof TopicsApply> {
  static override summary = 'Make the cluster match the topic spec (idempotent).'
  static override description = `Creates missing topics, grows partition counts, updates topic configs and reports drift it will not fix (fewer partitions than exist, a different replication factor, overrides the spec does not set). Replication "auto" is min(3, brokers). Never deletes a topic unless --prune is given; topics starting with "_" are never touched.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Show what would change', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Apply another spec and delete topics it does not name', command: '<%= config.bin %> <%= command.id %> --spec my-topics.yaml --prune'},
  ]

  static override flags = {
    spec: Flags.file({description: 'Topic spec file (default: compose/topics.yaml of this package).', exists: true}),
    'dry-run': Flags.boolean({description: 'Print the plan; change nothing.'}),
    prune: Flags.boolean({description: 'Delete topics the spec does not name (except internal "_" topics).'}),
  }

  async run(): Promise<ApplyResult> {
    const {profile} = this.connection()
    const result = await applyTopicSpec(profile, {
      ...(this.flags.spec ? {specFile: this.flags.spec} : {}),
      dryRun: this.flags['dry-run'],
      prune: this.flags.prune,
    })
    const {plan} = result
    const verb = result.dryRun ? 'would' : 'did'
    for (const action of plan.actions) this.log(`${result.dryRun ? chalk.yellow('~') : chalk.green('+')} ${describeAction(action)}`)
    for (const d of plan.drift) this.log(`${chalk.red('!')} ${d.name} ${d.message}`)
    if (plan.unmanaged.length > 0) this.log(chalk.dim(`  not in the spec (kept; --prune deletes): ${plan.unmanaged.join(', ')}`))
    this.log(
      `${plan.actions.length} change(s) ${verb} apply, ${plan.unchanged.length} topic(s) already as specified, ${plan.drift.length} drift warning(s) on ${result.brokers} broker(s).`,
    )
    return result
  }
}
