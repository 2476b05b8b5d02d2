import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {ExitCode} from '../../src/errors.js'
import {planSource, sendCards, type SendStats} from '../../src/shop/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {createStatusLine} from '../../src/ui/progress.js'

const SHOWN_REJECTIONS = 5

export default class ShopSend extends BaseCommand<typeof ShopSend> {
  static override principal = 'shop'
  static override summary = 'Send product cards to Kafka (Avro, validated; bad input goes to the DLQ).'
  static override description = `Reads a JSON array or JSON Lines file (detected, streamed) or generates a realistic Russian catalogue, validates every card, and produces it to shop-products (key = product_id) as Avro in the Confluent wire format with an idempotent acks=all producer and LZ4 compression.

Invalid or unparsable records never stop the run: each goes to shop-products-dlq with the original text, the reasons and its file and line; the first ones are printed. Exit code ${ExitCode.rejected} when any record was rejected, 0 when all were sent.

A card counts as sent only once Kafka acknowledged it (every in-sync replica, at least min.insync.replicas). If Kafka cannot acknowledge a card within --delivery-timeout (brokers down, too few in-sync replicas), nothing more is sent: the cards not acknowledged are written to a JSON Lines file under the state dir, the summary names it and says why, and the exit code is ${ExitCode.notAcknowledged}; sending that file later completes the set. Ctrl-C stops reading, flushes what is in flight and prints the summary.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --file data/products.json',
    {description: 'A million synthetic cards, the same for the same seed', command: '<%= config.bin %> <%= command.id %> --generate 1000000 --seed 42'},
    {
      description: 'A marketplace-like catalogue: every card a name and a description of its own',
      command: '<%= config.bin %> <%= command.id %> --generate 100000 --catalogue realistic',
    },
    {
      description: 'A live shop: re-send the catalogue with fresh prices, 20 cards a second, until Ctrl-C',
      command: '<%= config.bin %> <%= command.id %> --file data/products.json --continuous --rate 20 --store store_007',
    },
  ]

  static override flags = {
    file: Flags.string({char: 'f', description: 'JSON array or JSON Lines file of cards.', exclusive: ['generate']}),
    generate: Flags.integer({char: 'g', description: 'Generate this many synthetic cards instead of reading a file.', min: 1}),
    seed: Flags.integer({description: 'Seed for --generate (same seed, same cards; default 1).', dependsOn: ['generate']}),
    catalogue: Flags.option({
      options: ['simple', 'realistic'] as const,
      description: 'What --generate makes: simple (a few thousand distinct texts) or realistic (a name and a description of its own per card).',
      default: 'simple',
    })(),
    store: Flags.string({description: 'Sending shop: store_id for cards that have none (and for generated cards).'}),
    continuous: Flags.boolean({description: 'Keep re-sending the source with fresh prices and updated_at until Ctrl-C (blocks).'}),
    rate: Flags.integer({description: 'Cards per second (default: as fast as possible).', min: 1, exclusive: ['delay']}),
    delay: Flags.string({description: 'Seconds between cards, e.g. 0.5.'}),
    topic: Flags.string({description: 'Target topic.', default: 'shop-products'}),
    'delivery-timeout': Flags.integer({
      description: 'Seconds Kafka may take to acknowledge a card, retries and leader elections included, before it counts as not acknowledged.',
      default: 60,
      min: 1,
    }),
    threads: Flags.integer({description: 'Worker threads that parse, validate and encode (default: one per core, at least 2; 0 = none).', min: 0, max: 16}),
  }

  async run(): Promise<SendStats> {
    const {flags} = this
    const {profile} = this.connection()
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const status = createStatusLine({enabled: this.interactive})
    let shown = 0
    try {
      const source = await planSource({
        ...(flags.file ? {file: flags.file} : {}),
        ...(flags.generate ? {generate: flags.generate, seed: flags.seed ?? 1, catalogue: flags.catalogue} : {}),
        ...(flags.store ? {store: flags.store} : {}),
        ...(flags.rate ? {rate: flags.rate} : {}),
        ...(flags.delay === undefined ? {} : {delay: Number(flags.delay)}),
        continuous: flags.continuous,
        signal: stop.signal,
      })
      this.logToStderr(chalk.dim(`Sending ${source.description} to ${flags.topic}…`))
      const stats = await sendCards(profile, source.items, {
        topic: flags.topic,
        signal: stop.signal,
        ...(flags.threads === undefined ? {} : {threads: flags.threads}),
        ...(flags.store ? {store: flags.store} : {}),
        deliveryTimeoutMs: flags['delivery-timeout'] * 1000,
        onProgress: (s) =>
          status.update(`sent ${s.sent.toLocaleString('en')}  rejected ${s.rejected.toLocaleString('en')}  ${s.perSecond.toLocaleString('en')} cards/s`),
        onReject: (where, errors) => {
          if (shown++ < SHOWN_REJECTIONS) status.print(`${chalk.yellow('rejected')} ${where}: ${errors.join('; ')}`)
        },
      })
      status.clear()
      if (shown > SHOWN_REJECTIONS) this.logToStderr(chalk.dim(`… and ${shown - SHOWN_REJECTIONS} more rejected; see \`mkt consume ${stats.dlqTopic}\`.`))
      const seconds = (stats.elapsedMs / 1000).toFixed(1)
      this.log(
        `${stats.interrupted ? 'Interrupted: ' : ''}sent ${stats.sent} card(s) to ${stats.topic}, rejected ${stats.rejected} to ${stats.dlqTopic}, in ${seconds}s (${stats.perSecond} cards/s).`,
      )
      if (stats.rejected > 0) process.exitCode = ExitCode.rejected
      if (stats.unacknowledged > 0) {
        process.stderr.write(
          `${chalk.red('Error:')} ${stats.failure} ${stats.unacknowledged} card(s) were not acknowledged and are written to ${stats.unacknowledgedFile}.\n`,
        )
        process.stderr.write(
          `${chalk.dim('Hint:')} When the brokers are back (\`mkt topics describe ${stats.topic}\`), send exactly those: \`mkt shop send --file ${stats.unacknowledgedFile}\`.\n`,
        )
        process.exitCode = ExitCode.notAcknowledged
      }
      return stats
    } finally {
      status.clear()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
