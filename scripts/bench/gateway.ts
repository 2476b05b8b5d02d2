/**
 * npm run bench:gateway — the HTTP gateway beside what it wraps, on the same
 * realistic cards (a name and a description each) and one broker:
 * `POST /v1/products` in batches of 100 under autocannon against `mkt shop
 * send --file` of the same number of cards (cards/s); `GET /v1/search` over
 * keep-alive HTTP, one request at a time (p50/p99) and under autocannon
 * (req/s), against the same queries asked of an in-process index of the same
 * cards (what `mkt index start` answers with).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import autocannon from 'autocannon'

import {workerLogger} from '../../src/log-structured.js'
import {packageRoot} from '../../src/package-root.js'
import {paramsFromRequest, startIndexer} from '../../src/search/index.js'
import {renderTable} from '../../src/ui/table.js'
import {measure, percentile} from './measure.js'
import {benchRuntime, createTopic} from './runtime.js'
import {BENCH_CATALOGUE, benchCards, benchQueries} from './search-queries.js'

const CARDS = Number(process.env.BENCH_GATEWAY_CARDS ?? 100_000)
const BATCH = 100
const CONNECTIONS = Number(process.env.BENCH_GATEWAY_CONNECTIONS ?? 8)
const SEARCH_SECONDS = Number(process.env.BENCH_GATEWAY_SEARCH_SECONDS ?? 15)
const ROUNDS = 20
const SEED = 11

async function writeLines(file: string, cards: Iterable<object>): Promise<void> {
  const out = fs.createWriteStream(file)
  for (const card of cards) if (!out.write(`${JSON.stringify(card)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
  await new Promise<void>((r) => out.end(() => r()))
}

const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`
const rate = (v: number) => Math.round(v).toLocaleString('en')

/** A storefront's GET over one kept-alive connection, as its HTTP client would make it (fetch adds its own ~0.5 ms per call). */
const agent = new http.Agent({keepAlive: true, maxSockets: 1})
function get(url: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, {agent, headers: {'x-api-key': key}}, (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      })
      .on('error', reject)
  })
}

/**
 * TCP_NODELAY on autocannon's sockets, as curl, undici and Go's net/http set it: without it a body
 * larger than one segment leaves its last partial segment to Nagle's algorithm, which waits for the
 * server's delayed ACK (40 ms on Linux) — a stall of the load generator, not of the server.
 */
function noDelay(client: unknown): void {
  const c = client as {_connect: () => void; conn?: {setNoDelay?: (on: boolean) => void}}
  const connect = c._connect
  c._connect = function (this: typeof c) {
    connect.call(this)
    this.conn?.setNoDelay?.(true)
  }
}

async function main(): Promise<void> {
  const runtime = await benchRuntime()
  const cli = path.join(packageRoot(), 'bin', 'run.js')
  const env = {MKT_CONFIG: path.join(runtime.root, 'config.yaml'), MKT_PROFILE: 'bench:admin', NO_COLOR: '1'}
  let gateway: ReturnType<typeof measure> | undefined
  let gatewayPid = 0
  try {
    for (const topic of ['bench-warm', 'bench-send', 'bench-http']) await createTopic(runtime.profile, topic, 6)
    await createTopic(runtime.profile, 'bench-dlq', 1)
    process.stderr.write(`bench: ${CARDS.toLocaleString('en')} ${BENCH_CATALOGUE} cards, as JSON Lines and as batches of ${BATCH}…\n`)
    const cards = [...benchCards({count: CARDS, seed: SEED})]
    const file = path.join(runtime.root, 'cards.jsonl')
    await writeLines(file, cards)
    const bodies: string[] = []
    for (let i = 0; i < cards.length; i += BATCH) bodies.push(JSON.stringify(cards.slice(i, i + BATCH)))

    // A fresh broker's JVM is still compiling its hot paths: whichever side ran first would pay for it, so one
    // unmeasured send of the same file warms it up.
    process.stderr.write('bench: warming the broker up (one unmeasured mkt shop send)…\n')
    const warm = await measure(cli, ['shop', 'send', '--file', file, '--topic', 'bench-warm', '--json'], env)
    if (warm.code !== 0) throw new Error(`mkt shop send failed (exit ${warm.code}): ${warm.stderr.slice(-1500)}`)
    // The reference: the CLI a shop runs, as its users run it (a file, the default worker threads).
    process.stderr.write('bench: mkt shop send --file…\n')
    const sent = await measure(cli, ['shop', 'send', '--file', file, '--topic', 'bench-send', '--json'], env)
    if (sent.code !== 0) throw new Error(`mkt shop send failed (exit ${sent.code}): ${sent.stderr.slice(-1500)} ${sent.stdout.slice(-1500)}`)
    const send = JSON.parse(sent.stdout) as {sent: number; perSecond: number; elapsedMs: number}

    // The gateway, a process of its own, indexing the cards shop send wrote (no filter in between: the index is what is measured).
    const keysFile = path.join(runtime.root, 'keys.json')
    const keyFile = path.join(runtime.root, 'admin.key')
    const created = await measure(
      cli,
      ['gateway', 'keys', 'create', '--name', 'bench', '--role', 'admin', '--keys-file', keysFile, '--output-file', keyFile],
      env,
    )
    if (created.code !== 0) throw new Error(created.stderr)
    const key = fs.readFileSync(keyFile, 'utf8').trim()
    const port = 30_000 + Math.floor(Math.random() * 20_000)
    const args = ['gateway', 'start', '--port', String(port), '--keys-file', keysFile, '--rate-limit', '100000000']
    // BENCH_GATEWAY_NODE_ARGS: node flags for the gateway alone (e.g. --cpu-prof --cpu-prof-dir=DIR).
    const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean)
    gateway = measure(
      process.execPath,
      [
        ...nodeArgs,
        cli,
        ...args,
        '--topic',
        'bench-http',
        '--dlq-topic',
        'bench-dlq',
        '--catalog-topic',
        'bench-send',
        '--snapshot-file',
        path.join(runtime.root, 'gw.snapshot'),
      ],
      env,
      (pid) => (gatewayPid = pid),
    )
    const base = `http://127.0.0.1:${port}`
    const started = Date.now()
    let ended = false
    void gateway.then(() => (ended = true))
    while (
      !(await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (ended) throw new Error('the gateway ended before it answered /healthz')
      if (Date.now() - started > 300_000) throw new Error('the gateway did not catch up within 5 minutes')
      await sleep(100)
    }

    // The gateway opens its card producer on the first POST (as shop send opens its own before its clock
    // starts): one unmeasured batch opens it.
    const opened = await fetch(`${base}/v1/products`, {method: 'POST', headers: {'content-type': 'application/json', 'x-api-key': key}, body: bodies[0]})
    if (!opened.ok) throw new Error(`the first POST /v1/products answered ${opened.status}: ${await opened.text()}`)
    process.stderr.write(`bench: POST /v1/products, ${bodies.length} batches of ${BATCH}, ${CONNECTIONS} connections…\n`)
    let next = 0
    // autocannon ends an `amount` run on its one-second tick, so its duration is rounded up to whole
    // seconds: the clock runs from the start to the last response instead.
    const postStart = performance.now()
    let lastResponse = postStart
    const posted = await autocannon({
      url: base,
      connections: CONNECTIONS,
      amount: bodies.length,
      setupClient: noDelay,
      requests: [
        {
          method: 'POST',
          path: '/v1/products',
          headers: {'content-type': 'application/json', 'x-api-key': key},
          setupRequest: (req) => ({...req, body: bodies[next++ % bodies.length]}),
          onResponse: () => (lastResponse = performance.now()),
        },
      ],
    })
    if (posted.non2xx > 0) throw new Error(`${posted.non2xx} POST /v1/products answered non-2xx`)
    const httpCardsPerSecond = (bodies.length * BATCH) / ((lastResponse - postStart) / 1000)

    // Search: the same queries in-process (an index of the same cards) and over HTTP, one at a time.
    const queries = benchQueries(SEED)
    const indexer = await startIndexer(runtime.profile, {
      logger: workerLogger('bench').child({}, {level: 'warn'}),
      topic: 'bench-send',
      snapshotFile: path.join(runtime.root, 'in.snapshot'),
      snapshotIntervalS: 0,
    })
    await indexer.ready
    const inProcess: number[] = []
    const overHttp: number[] = []
    const urls = queries.map((q) => `${base}/v1/search?${paramsFromRequest(q).toString()}`)
    for (let round = 0; round <= ROUNDS; round++)
      for (const [i, query] of queries.entries()) {
        let t = performance.now()
        indexer.search(query)
        if (round > 0) inProcess.push(performance.now() - t)
        t = performance.now()
        const status = await get(urls[i]!, key)
        if (status !== 200) throw new Error(`GET /v1/search answered ${status}`)
        if (round > 0) overHttp.push(performance.now() - t) // round 0 warms up
      }
    await indexer.stop()
    inProcess.sort((a, b) => a - b)
    overHttp.sort((a, b) => a - b)
    process.stderr.write(`bench: GET /v1/search under autocannon, ${CONNECTIONS} connections, ${SEARCH_SECONDS} s…\n`)
    let q = 0
    const searched = await autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: SEARCH_SECONDS,
      requests: [{method: 'GET', headers: {'x-api-key': key}, setupRequest: (req) => ({...req, path: urls[q++ % urls.length]!.slice(base.length)})}],
    })
    if (searched.non2xx > 0) throw new Error(`${searched.non2xx} GET /v1/search answered non-2xx`)

    const inP50 = percentile(inProcess, 50)
    const httpP50 = percentile(overHttp, 50)
    console.log(`\nGateway: ${CARDS.toLocaleString('en')} ${BENCH_CATALOGUE} cards, 1 broker, ${queries.length} queries × ${ROUNDS} rounds\n`)
    console.log(
      renderTable(
        ['', 'gateway (HTTP)', 'reference', 'ratio / difference', 'target'],
        [
          [
            'cards/s',
            `${rate(httpCardsPerSecond)} (POST batches of ${BATCH}, ${CONNECTIONS} connections)`,
            `${rate(send.perSecond)} (mkt shop send --file)`,
            `${(httpCardsPerSecond / send.perSecond).toFixed(2)}×`,
            '≥ 0.5×',
          ],
          ['POST /v1/products latency', `p50 ${ms(posted.latency.p50)}, p99 ${ms(posted.latency.p99)}`, '', '', ''],
          [
            'search p50 / p99',
            `${ms(httpP50)} / ${ms(percentile(overHttp, 99))} (one at a time)`,
            `${ms(inP50)} / ${ms(percentile(inProcess, 99))} (in-process index)`,
            `+${ms(httpP50 - inP50)} at p50`,
            '< +1 ms at p50',
          ],
          [
            'search req/s',
            `${rate(searched.requests.average)} (${CONNECTIONS} connections; p50 ${ms(searched.latency.p50)}, p99 ${ms(searched.latency.p99)})`,
            '',
            '',
            '',
          ],
        ],
      ),
    )
  } finally {
    // The gateway may have ended already (its exit is what the caught error says).
    if (gatewayPid) {
      try {
        process.kill(gatewayPid, 'SIGTERM')
      } catch {
        // already ended
      }
    }
    const ended = await gateway
    if (ended && ended.code !== 0 && ended.code !== 130) process.stderr.write(`bench: the gateway ended with ${ended.code}: ${ended.stderr.slice(-2000)}\n`)
    await runtime.close()
  }
}

await main()
