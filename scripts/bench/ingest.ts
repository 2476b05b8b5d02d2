/**
 * npm run bench:ingest — `mkt shop send` against Kafka's own Java
 * ProducerPerformance, same broker, same record count and size, acks=all,
 * idempotent, LZ4; plus the send's peak memory at 100k and 1M cards (flat
 * memory means the file is streamed).
 */
import fs from 'node:fs'
import path from 'node:path'

import {resolveArtifact} from '../../src/infra/artifacts.js'
import {javaBin} from '../../src/infra/prerequisites.js'
import {packageRoot} from '../../src/package-root.js'
import {bundledSchema, encodeWire} from '../../src/schema/avro.js'
import {generateCards} from '../../src/shop/generate.js'
import {renderTable} from '../../src/ui/table.js'
import {benchRuntime, createTopic} from './runtime.js'
import {measure, mib} from './measure.js'
import {javaClientProperties, propertiesText} from '../../src/kafka/java-config.js'
import {writePrivateFile} from '../../src/config/private-file.js'

const COUNT = Number(process.env.BENCH_CARDS ?? 1_000_000)
const SMALL = Math.max(1, Math.floor(COUNT / 10))

async function writeCards(file: string, count: number): Promise<void> {
  if (fs.existsSync(file)) return
  const out = fs.createWriteStream(`${file}.tmp`)
  for (const card of generateCards({count, seed: 2024})) {
    if (!out.write(`${JSON.stringify(card)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((r) => out.end(() => r()))
  fs.renameSync(`${file}.tmp`, file)
}

function averageRecordSize(): number {
  const {type} = bundledSchema('product-card.avsc')
  let bytes = 0
  let n = 0
  for (const card of generateCards({count: 2000, seed: 2024})) {
    bytes += encodeWire(1, type, card).length
    n++
  }
  return Math.round(bytes / n)
}

async function main(): Promise<void> {
  const runtime = await benchRuntime()
  try {
    const files = {small: path.join(runtime.root, `cards-${SMALL}.jsonl`), large: path.join(runtime.root, `cards-${COUNT}.jsonl`)}
    process.stderr.write(`bench: writing ${SMALL} and ${COUNT} generated cards as JSON Lines…\n`)
    await writeCards(files.small, SMALL)
    await writeCards(files.large, COUNT)
    const recordSize = averageRecordSize()
    for (const topic of ['bench-mkt-small', 'bench-mkt', 'bench-java']) await createTopic(runtime.profile, topic, 6)

    const cli = path.join(packageRoot(), 'bin', 'run.js')
    const env = {MKT_CONFIG: path.join(runtime.root, 'config.yaml'), MKT_PROFILE: 'bench:admin', NO_COLOR: '1'}
    const send = async (file: string, topic: string) => {
      // Run the bin as a user's shell does (its shebang sets the Node flags).
      const run = await measure(cli, ['shop', 'send', '--file', file, '--topic', topic, '--json'], env)
      if (run.code !== 0) throw new Error(`mkt shop send failed (${run.code}): ${run.stderr}`)
      const stats = JSON.parse(run.stdout) as {sent: number; bytes: number; elapsedMs: number}
      return {...run, sent: stats.sent, bytes: stats.bytes, sendSeconds: stats.elapsedMs / 1000}
    }
    process.stderr.write(`bench: mkt shop send, ${SMALL} cards…\n`)
    const small = await send(files.small, 'bench-mkt-small')
    process.stderr.write(`bench: mkt shop send, ${COUNT} cards…\n`)
    const large = await send(files.large, 'bench-mkt')

    process.stderr.write(`bench: Java ProducerPerformance, ${COUNT} records of ${recordSize} bytes…\n`)
    const kafka = await resolveArtifact('kafka')
    // The same TLS and SCRAM login as mkt's admin profile, in a 0600 file (the password never goes on the command line).
    const clientConfig = path.join(runtime.root, 'producer.properties')
    writePrivateFile(clientConfig, propertiesText(javaClientProperties(runtime.profile)))
    const java = await measure(javaBin(), [
      '-Xmx512m',
      '-cp',
      `${kafka.dir}/*`,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      'bench-java',
      '--num-records',
      String(COUNT),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer.config',
      clientConfig,
      '--producer-props',
      'acks=all',
      'enable.idempotence=true',
      'compression.type=lz4',
      // Tuned for throughput as its users tune it (the defaults, 16 KB batches sent at once, are a latency setting):
      // batches as large as mkt's producer makes, and a short linger to fill them.
      'batch.size=1000000',
      'linger.ms=20',
    ])
    // It prints a progress line every 5 s in the same format; the last one is the summary.
    const summary = [...java.stdout.matchAll(/(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/g)].at(-1)
    if (java.code !== 0 || !summary) throw new Error(`ProducerPerformance failed: ${java.stdout.slice(-500)} ${java.stderr.slice(-500)}`)
    const javaRate = Number(summary[2])
    const mktRate = large.sent / large.sendSeconds

    const rows = [
      [
        `mkt shop send (JSON Lines file, validate, Avro)`,
        large.sent,
        Math.round(mktRate),
        (large.bytes / 1024 / 1024 / large.sendSeconds).toFixed(1),
        mib(large.peakRssBytes),
        `${(mktRate / javaRate).toFixed(2)}x`,
      ],
      [
        `Java ProducerPerformance (${recordSize}-byte records, batch.size 1 MB, linger.ms 20)`,
        Number(summary[1]),
        Math.round(javaRate),
        Number(summary[3]).toFixed(1),
        mib(java.peakRssBytes),
        '1.00x',
      ],
    ]
    console.log(`\nIngest: ${COUNT.toLocaleString('en')} cards, 1 broker, 6 partitions, acks=all, idempotent, LZ4\n`)
    console.log(renderTable(['producer', 'records', 'records/s', 'MB/s', 'peak RSS', 'vs Java'], rows))
    console.log(
      `\nMemory as the file grows (mkt shop send): ${SMALL.toLocaleString('en')} cards → ${mib(small.peakRssBytes)}, ${COUNT.toLocaleString('en')} cards → ${mib(large.peakRssBytes)}`,
    )
    console.log(
      `Target: mkt ≥ 0.5x Java → ${mktRate / javaRate >= 0.5 ? 'met' : 'NOT met'}; flat memory (≤ 1.5x for 10x the cards) → ${large.peakRssBytes <= 1.5 * small.peakRssBytes ? 'met' : 'NOT met'}`,
    )
  } finally {
    await runtime.close()
  }
}

await main()
