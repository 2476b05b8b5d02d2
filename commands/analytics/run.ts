import {setTimeout as sleep} from 'node:timers/promises'

import {Flags} from '@oclif/core'

import {parseDuration, recordLastRun, runAnalytics, type AnalyticsSummary} from '../../src/analytics/index.js'
import {MktError} from '../../src/errors.js'
import {loadMirrorFlow} from '../../src/mirror/index.js'
import {analyticsClusterProfile} from '../../src/ui/analytics-cluster.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {createProgress} from '../../src/ui/progress.js'

export default class AnalyticsRun extends BaseCommand<typeof AnalyticsRun> {
  static override principal = 'analytics'
  static override summary = 'Run the Spark job: category statistics, ALS recommendations and the Parquet archive.'
  static override description = `Reads filtered-products, the ban list, client-searches, client-views and client-recommendations; writes category-stats and recommendations (compacted topics, Avro) and a Parquet archive of products and events partitioned by date under --lake.

Recommendations: implicit-feedback ALS on user × product interactions (a view weighs 3, a search hit 1), re-ranked by the user's category affinity, top 50; users without history get the most popular products of the categories they searched or asked for, else the most popular overall (also stored under the key * for users the job has never seen).

Spark reads and writes Kafka with its own connector and scores in its executors, so a cluster makes it faster: it runs in local mode by default; --master spark://host:7077 submits to a standalone cluster, --master cluster to the full stack's (\`mkt infra up --stack full\`). Needs \`mkt analytics setup\` once.

Each run reads only what arrived since the last one: the offsets it read to, and the product and ban state, are committed in the lake (_commits/, _state/), so --every 10m keeps the statistics exact while reading only new records. A run that dies is redone from the last commit; --full reads everything again and rebuilds the state and the archive. The lake is HDFS in the full stack (hdfs://…/mkt/lake), else <state dir>/lake.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --every 10m',
    '<%= config.bin %> <%= command.id %> --master cluster',
    '<%= config.bin %> <%= command.id %> --master spark://spark-master:7077 --lake hdfs://namenode:8020/mkt/lake',
    '<%= config.bin %> <%= command.id %> --full',
  ]
  static override flags = {
    every: Flags.string({description: 'Run again after this interval (90s, 5m, 1h) until Ctrl-C.'}),
    master: Flags.string({description: "Spark master: local[N], spark://host:port, or cluster (the full stack's).", default: 'local[*]'}),
    lake: Flags.string({
      description:
        'Where the Parquet archive and the run commits go: a directory or a file:// / hdfs:// URI (default: HDFS in the full stack, else <state dir>/lake).',
    }),
    full: Flags.boolean({description: "Ignore the lake's last commit: read every topic from the start, rebuild the state and the archive.", default: false}),
    'executor-memory': Flags.string({description: 'Memory per executor on a cluster (e.g. 1g).'}),
    'top-n': Flags.integer({description: 'Recommendations kept per user.', default: 50, min: 1, max: 500}),
    source: Flags.option({
      options: ['auto', 'main', 'analytics'] as const,
      default: 'auto',
      description:
        "Where the job reads the catalogue, the bans and the events: the full stack's analytics cluster (main.<topic>, fed by MirrorMaker 2), or the main cluster. auto: the analytics cluster when the profile has one (<profile>-analytics). Results are always written to the main cluster.",
    })(),
  }

  async run(): Promise<AnalyticsSummary & {readFrom: string}> {
    const {flags} = this
    const every = flags.every === undefined ? undefined : parseDuration(flags.every)
    const {profile} = this.connection()
    const analytics = flags.source === 'main' ? undefined : analyticsClusterProfile(profile)
    if (flags.source === 'analytics' && !analytics)
      throw new MktError(
        `There is no analytics cluster profile next to "${profile.name}".`,
        'Start the full stack with `mkt infra up --stack full`, or use --source main.',
        'config',
      )
    const flow = analytics ? loadMirrorFlow() : undefined
    const source = analytics && flow ? {profile: analytics, remoteName: flow.remoteName} : undefined
    // A notice, shown with --json too (like progress): where the data comes from changes what the numbers mean.
    if (source) process.stderr.write(`Reading the catalogue and the events from the analytics cluster (${analytics!.name}).\n`)
    const readFrom = (source ? analytics! : profile).name
    const stop = new AbortController()
    // Ctrl-C or SIGTERM stops the job (it runs in its own process group) and the loop; the lake keeps the last commit.
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    let first = true
    try {
      for (;;) {
        const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
        let summary: AnalyticsSummary
        try {
          summary = await runAnalytics(profile, {
            master: flags.master,
            topN: flags['top-n'],
            // --full applies to the first run; the runs after it go on from its commit.
            full: flags.full && first,
            ...(flags['executor-memory'] ? {executorMemory: flags['executor-memory']} : {}),
            ...(flags.lake ? {lake: flags.lake} : {}),
            ...(source ? {source} : {}),
            onProgress: progress,
            signal: stop.signal,
          })
        } finally {
          progress.stop()
        }
        first = false
        recordLastRun(profile.stateDir, summary)
        const read = Object.entries(summary.read)
          .map(([topic, n]) => `${n} ${topic}`)
          .join(', ')
        this.log(
          `Run ${summary.batch} done in ${summary.seconds}s (model ${summary.model_version}), read since the last run: ${read}. In all: ${summary.products} products (${summary.banned} banned), ${summary.searches} searches, ${summary.views} views, ${summary.requests} requests → ${summary.categories} categories, recommendations for ${summary.recommendations} users (${summary.als_users} from ALS, ${summary.category_fallback_users} popular in their categories, ${summary.popular_fallback_users} popular overall); archive in ${summary.lake}.`,
        )
        if (!every || stop.signal.aborted) return {...summary, readFrom}
        this.log(`Next run in ${flags.every} (Ctrl-C stops).`)
        try {
          await sleep(every, undefined, {signal: stop.signal})
        } catch {
          return {...summary, readFrom}
        }
      }
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
