import {Flags} from '@oclif/core'

import {workerLogger} from '../../src/log-structured.js'
import {startMetricsServer} from '../../src/metrics/index.js'
import {startRecommender} from '../../src/recommend/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {runUntilSignal} from '../../src/ui/worker-run.js'

export default class RecommendServe extends BaseCommand<typeof RecommendServe> {
  static override principal = 'recommender'
  static override summary = 'Run the recommender: answers requests from client-recommendations on recommendations-results.'
  static override description = `Loads the ban list, the catalogue (filtered-products) and Spark's lists (recommendations) and follows all three live; then answers each request with the user's list (else the list for everyone), keeping only products that are known, not banned, in stock and within the request's category and price — so a ban applies before Spark runs again. Requests older than a minute are skipped (their client gave up).

Several recommenders share the requests in the consumer group mkt-recommender. Logs are JSON lines on stderr; /metrics and /healthz on --metrics-port. Blocks until SIGINT/SIGTERM.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --metrics-port 9422']
  static override flags = {
    'metrics-port': Flags.integer({description: 'Port for /metrics and /healthz on 127.0.0.1 (0 picks a free one).', default: 9420, min: 0, max: 65_535}),
  }

  async run(): Promise<{lists: number; products: number}> {
    const logger = workerLogger('mkt-recommender')
    const worker = await runUntilSignal(
      logger,
      (signal) => startRecommender(this.connection().profile, {logger, signal}),
      async (running) => {
        const server = await startMetricsServer({
          port: this.flags['metrics-port'],
          registry: running.metrics.registry,
          health: () => running.health(),
          target: {stateDir: this.connection().profile.stateDir, service: 'mkt-recommender'},
        })
        logger.info({metrics: `http://127.0.0.1:${server.port}/metrics`, healthz: `http://127.0.0.1:${server.port}/healthz`}, 'serving metrics')
        return server
      },
    )
    const {lists, products} = worker?.health() ?? {lists: 0, products: 0}
    return {lists, products}
  }
}
