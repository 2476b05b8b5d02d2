import {Flags} from '@oclif/core'

import {workerLogger} from '../../src/log-structured.js'
import {startMetricsServer} from '../../src/metrics/index.js'
import {CATALOG_TOPIC, defaultSnapshotFile, searchRoute, startIndexer} from '../../src/search/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {runUntilSignal} from '../../src/ui/worker-run.js'

export default class IndexStart extends BaseCommand<typeof IndexStart> {
  static override principal = 'indexer'
  static override summary = 'Run the search indexer: filtered-products → a live Russian full-text index, served over HTTP.'
  static override description = `Reads the ban list (banned-products) first, then loads the latest snapshot and catches up from its offsets (or reads filtered-products from the beginning), then follows both topics live: a new version of a product replaces the old one, a ban hides it within a second, an unban shows it again.

Serves GET /search?q=…&limit=&category=&brand=&min_price=&max_price=&in_stock=true&sort=&user= (JSON), /metrics and /healthz on --port; \`mkt search\` uses it. Every search is recorded in client-searches. The index and its offsets are saved atomically every --snapshot-interval seconds (when something changed) and on stop.

Logs are JSON lines on stderr. Blocks until SIGINT/SIGTERM, then writes a final snapshot.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Rebuild from the topic, ignoring the snapshot', command: '<%= config.bin %> <%= command.id %> --rebuild'},
    {description: 'Query it directly', command: 'curl "http://127.0.0.1:9410/search?q=умные+часы&limit=5"'},
  ]

  static override flags = {
    port: Flags.integer({
      description: "Port for /search, /metrics and /healthz on 127.0.0.1 (0 picks a free one). Default: the port of the profile's searchUrl (9410).",
      min: 0,
      max: 65_535,
    }),
    topic: Flags.string({description: 'Topic of cards to index.', default: CATALOG_TOPIC}),
    'bans-topic': Flags.string({description: 'The compacted ban list.', default: 'banned-products'}),
    'snapshot-file': Flags.string({description: 'Where the snapshot lives (default: <state dir>/search/<profile>.snapshot).'}),
    'snapshot-interval': Flags.integer({description: 'Seconds between snapshots (0: only on stop).', default: 30, min: 0}),
    rebuild: Flags.boolean({description: 'Ignore the snapshot and read the topic from the beginning.', default: false}),
  }

  async run(): Promise<{products: number; visible: number}> {
    const {flags} = this
    const {profile} = this.connection()
    const logger = workerLogger('mkt-index')
    const port = flags.port ?? Number(new URL(profile.searchUrl).port || 80)
    const snapshotFile = flags['snapshot-file'] ?? defaultSnapshotFile(profile)
    const indexer = await runUntilSignal(
      logger,
      (signal) =>
        startIndexer(profile, {
          logger,
          signal,
          topic: flags.topic,
          bansTopic: flags['bans-topic'],
          snapshotFile,
          snapshotIntervalS: flags['snapshot-interval'],
          rebuild: flags.rebuild,
        }),
      async (running) => {
        const server = await startMetricsServer({
          port,
          registry: running.metrics.registry,
          health: () => running.health(),
          routes: {'/search': searchRoute(running)},
          portFlag: '--port',
          target: {stateDir: profile.stateDir, service: 'mkt-indexer'},
        })
        const base = `http://127.0.0.1:${server.port}`
        logger.info({search: `${base}/search?q=`, metrics: `${base}/metrics`, healthz: `${base}/healthz`, snapshotFile}, 'serving')
        return server
      },
    )
    const {products, visible} = indexer?.health() ?? {products: 0, visible: 0}
    return {products, visible}
  }
}
