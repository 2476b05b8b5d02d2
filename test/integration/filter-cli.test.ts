import {describe, expect, inject, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {startCli} from '../helpers/spawn.js'
import {freshTopic, waitForCaughtUp} from '../helpers/topics.js'

const profile = inject('profile')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined, MKT_LOG_LEVEL: 'info'}

describe('mkt filter start', () => {
  it('serves /healthz and /metrics, logs JSON lines, and stops cleanly on SIGTERM', async () => {
    const [input, output, events, bans] = await Promise.all([
      freshTopic(profile, 'it-fc-in'),
      freshTopic(profile, 'it-fc-out'),
      freshTopic(profile, 'it-fc-ev'),
      freshTopic(profile, 'it-fc-bans', 1, {'cleanup.policy': 'compact'}),
    ])
    const group = `it-fc-${Date.now()}`
    const worker = startCli(
      [
        'filter',
        'start',
        '--group',
        group,
        '--input-topic',
        input,
        '--output-topic',
        output,
        '--events-topic',
        events,
        '--bans-topic',
        bans,
        '--metrics-port',
        '0',
      ],
      env,
    )
    await worker.waitFor(/"msg":"serving metrics"/, 60_000, 'stderr')
    const port = /127\.0\.0\.1:(\d+)\/metrics/.exec(worker.stderr())![1]

    expect((await runCli(['shop', 'send', '--generate', '25', '--seed', '8', '--topic', input], env)).code).toBe(0)
    await waitForCaughtUp(profile, group, input)

    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ok: true, bansLoaded: true, consuming: true, eos: true})
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    expect(metrics).toMatch(/mkt_filter_cards_in_total\{[^}]*\} 25/)
    expect(metrics).toMatch(/mkt_filter_cards_passed_total\{[^}]*\} 25/)
    expect(metrics).toMatch(/mkt_filter_transactions_committed_total/)
    expect(metrics).toMatch(/mkt_filter_processing_latency_seconds_bucket/)
    // What Kafka says the group still has to do (committed vs end offsets): nothing, once caught up.
    expect(metrics).toMatch(new RegExp(`mkt_consumer_group_lag\\{group="${group}",topic="${input}"[^}]*\\} 0\n`))
    // prom-client's process metrics, labelled with the worker.
    expect(metrics).toMatch(/process_resident_memory_bytes\{[^}]*worker="[^"]+"[^}]*\} \d+/)
    expect(metrics).toMatch(/nodejs_eventloop_lag_p99_seconds\{/)
    expect(metrics).toMatch(/nodejs_heap_size_used_bytes\{/)

    worker.child.kill('SIGTERM')
    expect(await worker.exited).toBe(0)
    const lines = worker
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {msg: string; cardsIn?: number})
    expect(lines.at(-1)).toMatchObject({msg: 'stopped', cardsIn: 25})
  })
})
