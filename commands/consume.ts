import {Args, Flags} from '@oclif/core'

import {consumeTopic, parseStartPosition, type ConsumedRecord, type ConsumeResult} from '../src/consume/index.js'
import {MktError} from '../src/errors.js'
import {BaseCommand} from '../src/ui/base-command.js'

export default class Consume extends BaseCommand<typeof Consume> {
  static override summary = 'Print records of a topic as JSON, decoding Avro through the schema registry.'
  static override description = `Prints one JSON object per line: topic, partition, offset, timestamp, key, value (Avro decoded via the registry, else JSON, text or base64) and the schema id. Reads committed records only (read_committed) and commits no offsets.

Without --follow it stops at the end of the partitions as they were when it started; with --follow it blocks and prints new records until Ctrl-C. With --json it prints one JSON document {records: [...]} at the end instead (not with --follow).`
  static override examples = [
    '<%= config.bin %> <%= command.id %> shop-products',
    {description: 'The last five rejected records', command: '<%= config.bin %> <%= command.id %> shop-products-dlq -n 5'},
    {description: 'Every version of one product, then keep watching', command: '<%= config.bin %> <%= command.id %> shop-products --key 12345 --follow'},
    {description: 'Pipe into jq', command: "<%= config.bin %> <%= command.id %> filtered-products | jq -r '.value.name'"},
  ]

  static override args = {topic: Args.string({required: true, description: 'Topic to read.'})}
  static override flags = {
    from: Flags.string({description: 'Where to start in every partition: beginning, end, or an offset.', default: 'beginning'}),
    count: Flags.integer({char: 'n', description: 'Stop after this many records.', min: 0}),
    follow: Flags.boolean({char: 'F', description: 'Keep waiting for new records (blocks until Ctrl-C).'}),
    key: Flags.string({char: 'k', description: 'Only records with this key.'}),
    partition: Flags.integer({char: 'p', description: 'Only this partition.', min: 0}),
  }

  async run(): Promise<ConsumeResult & {records?: ConsumedRecord[]}> {
    const {flags} = this
    if (flags.follow && this.jsonEnabled())
      throw new MktError(
        '--json collects records until the end, so it cannot be combined with --follow.',
        'Drop --json: the default output is already one JSON object per line.',
        'usage',
      )
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    // `mkt consume … | head` closes stdout early: stop quietly instead of failing.
    const onStdoutError = (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? stop.abort() : undefined)
    process.stdout.on('error', onStdoutError)
    const records: ConsumedRecord[] = []
    try {
      const result = await consumeTopic(this.connection().profile, this.args.topic, {
        from: parseStartPosition(flags.from),
        follow: flags.follow,
        signal: stop.signal,
        ...(flags.count === undefined ? {} : {limit: flags.count}),
        ...(flags.key === undefined ? {} : {key: flags.key}),
        ...(flags.partition === undefined ? {} : {partition: flags.partition}),
        onRecord: (record) => {
          if (this.jsonEnabled()) records.push(record)
          else if (!stop.signal.aborted) process.stdout.write(`${JSON.stringify(record)}\n`)
        },
      })
      return this.jsonEnabled() ? {...result, records} : result
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.stdout.off('error', onStdoutError)
    }
  }
}
