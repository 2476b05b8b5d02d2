import {Flags} from '@oclif/core'

import {startFilter, type FilterStats} from '../../src/filter/worker.js'
import {workerLogger} from '../../src/log-structured.js'
import {startMetricsServer} from '../../src/metrics/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {runUntilSignal} from '../../src/ui/worker-run.js'

export default class FilterStart extends BaseCommand<typeof FilterStart> {
  static override principal = 'filter'
  static override summary = 'Run the banned-product filter: shop-products → filtered-products, exactly once.'
  static override description = `Joins the consumer group (default mkt-filter) on shop-products. It first reads the whole ban list (banned-products), then follows it live, so a new ban applies to every card consumed after it is visible. Cards that are not banned go to filtered-products unchanged; every decision goes to filtered-events; undecodable records go to shop-products-dlq.

With --eos true (default) outputs and consumed offsets commit in one transaction per batch: killing the worker at any moment loses and duplicates nothing. --eos false produces, waits for the acknowledgements and commits the offsets every second (at least once: a crash repeats up to a second of work), for comparison.

Start several to share the partitions. Logs are JSON lines on stderr; /metrics and /healthz are served on --metrics-port. Blocks until SIGINT/SIGTERM, then finishes the batch in progress and leaves the group.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'A second worker beside the first', command: '<%= config.bin %> <%= command.id %> --metrics-port 9402'},
    {description: 'At-least-once, for comparison', command: '<%= config.bin %> <%= command.id %> --eos false --group mkt-filter-alo'},
  ]

  static override flags = {
    eos: Flags.option({options: ['true', 'false'] as const, default: 'true', description: 'Exactly once with transactions (true) or at least once (false).'})(),
    group: Flags.string({description: 'Consumer group; workers in one group share the partitions.', default: 'mkt-filter'}),
    'metrics-port': Flags.integer({description: 'Port for /metrics and /healthz on 127.0.0.1 (0 picks a free one).', default: 9401, min: 0, max: 65_535}),
    'input-topic': Flags.string({description: 'Topic of cards to filter.', default: 'shop-products'}),
    'output-topic': Flags.string({description: 'Topic for cards that pass.', default: 'filtered-products'}),
    'events-topic': Flags.string({description: 'Topic for the audit of every decision.', default: 'filtered-events'}),
    'dlq-topic': Flags.string({description: 'Topic for poison records.', default: 'shop-products-dlq'}),
    'bans-topic': Flags.string({description: 'The compacted ban list.', default: 'banned-products'}),
    'session-timeout': Flags.integer({
      description:
        "Milliseconds after which the group gives a killed or frozen worker's partitions to the others (broker minimum 6000). A clean stop hands them over at once.",
      default: 6000,
      min: 1000,
    }),
    'transaction-timeout': Flags.integer({
      description: 'Milliseconds after which Kafka aborts a transaction a killed or frozen worker left open (its partitions wait at most this long).',
      default: 10_000,
      min: 1000,
    }),
  }

  async run(): Promise<FilterStats> {
    const {flags} = this
    const logger = workerLogger('mkt-filter')
    const worker = await runUntilSignal(
      logger,
      (signal) =>
        startFilter(this.connection().profile, {
          signal,
          eos: flags.eos === 'true',
          groupId: flags.group,
          inputTopic: flags['input-topic'],
          outputTopic: flags['output-topic'],
          eventsTopic: flags['events-topic'],
          dlqTopic: flags['dlq-topic'],
          bansTopic: flags['bans-topic'],
          sessionTimeoutMs: flags['session-timeout'],
          transactionTimeoutMs: flags['transaction-timeout'],
          logger,
        }),
      async (running) => {
        const server = await startMetricsServer({
          port: flags['metrics-port'],
          registry: running.metrics.registry,
          health: () => running.health(),
          target: {stateDir: this.connection().profile.stateDir, service: 'mkt-filter'},
        })
        logger.info({metrics: `http://127.0.0.1:${server.port}/metrics`, healthz: `http://127.0.0.1:${server.port}/healthz`}, 'serving metrics')
        return server
      },
    )
    return worker?.stats() ?? {cardsIn: 0, passed: 0, banned: 0, dlq: 0, committed: 0, aborted: 0}
  }
}
