import {Flags} from '@oclif/core'

import {analyticsClusterProfile} from '../../src/ui/analytics-cluster.js'
import {MktError} from '../../src/errors.js'
import {loadMirrorFlow, mirrorStatus, sendCanary, type CanaryResult, type MirroredTopic} from '../../src/mirror/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

export default class MirrorStatus extends BaseCommand<typeof MirrorStatus> {
  static override summary = 'How far the analytics cluster is behind: per mirrored topic, end offsets on both clusters and records not yet mirrored.'
  static override description = `The lag is exact: per source partition, its end minus the offset MirrorMaker 2 committed with the mirrored records (its exactly-once offsets on the analytics cluster), counted record by record when small, so transaction markers do not show as lag. End offsets of the two clusters differ even when all is mirrored (markers, aborted transactions). --canary also times one probe from the main cluster to the analytics one.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Also time a probe through the mirror', command: '<%= config.bin %> <%= command.id %> --canary'},
    {description: 'Fail (exit 6) unless caught up, e.g. in a script', command: '<%= config.bin %> <%= command.id %> --max-lag 0'},
  ]

  static override flags = {
    target: Flags.string({description: 'Profile of the analytics cluster (default: <profile>-analytics, which `mkt infra up --stack full` writes).'}),
    canary: Flags.boolean({description: 'Send a timestamped probe through the mirror and report how long it took.'}),
    'max-lag': Flags.integer({description: 'Exit 6 when more records than this are not mirrored yet.', min: 0}),
  }

  async run(): Promise<{source: string; target: string; topics: MirroredTopic[]; lag: number; canary?: CanaryResult}> {
    const {profile} = this.connection()
    const target = analyticsClusterProfile(profile, this.flags.target)
    if (!target)
      throw new MktError(
        `There is no profile for the analytics cluster next to "${profile.name}" (${profile.name.split(':')[0]}-analytics).`,
        'Start the full stack with `mkt infra up --stack full`, or name the profile with --target.',
        'config',
      )
    const targetName = target.name
    const flow = loadMirrorFlow()
    const topics = await mirrorStatus(profile, target, flow)
    const lag = topics.reduce((n, t) => n + t.lag, 0)
    this.log(
      renderTable(
        ['topic', `on ${flow.target}`, `end offsets ${flow.source}`, `end offsets ${flow.target}`, 'not mirrored'],
        topics.map((t) => [t.topic, t.exists ? t.remote : '(not created yet)', t.sourceEnd, t.targetEnd, t.lag]),
      ),
    )
    this.log(lag === 0 ? `Caught up: every record of ${topics.length} topic(s) is on ${targetName}.` : `${lag} record(s) not mirrored yet.`)
    let canary: CanaryResult | undefined
    if (this.flags.canary) {
      canary = await sendCanary(profile, target, flow)
      this.log(`Canary ${canary.id}: ${canary.latencyMs} ms from ${profile.name} to ${targetName}.`)
    }
    if (this.flags['max-lag'] !== undefined && lag > this.flags['max-lag'])
      throw new MktError(
        `${lag} record(s) are not mirrored yet (more than --max-lag ${this.flags['max-lag']}).`,
        'Wait, or check `mkt infra logs mirror`.',
        'infra',
      )
    return {source: profile.name, target: targetName, topics, lag, ...(canary ? {canary} : {})}
  }
}
