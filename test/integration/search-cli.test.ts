import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, inject, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {freePortBase} from '../helpers/ports.js'
import {startCli} from '../helpers/spawn.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined, MKT_LOG_LEVEL: 'info', NO_COLOR: '1'}

describe('mkt index start and mkt search', () => {
  it('searches through the indexer, then without it from the snapshot it left, and refuses bad queries', async () => {
    const [catalog, bans] = await Promise.all([freshTopic(profile, 'it-sc-cat'), freshTopic(profile, 'it-sc-bans', 1, {'cleanup.policy': 'compact'})])
    const snapshotFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-it-sc-')), 'catalog.snapshot')
    expect((await runCli(['shop', 'send', '--file', 'data/products.json', '--topic', catalog], env)).code).toBe(0)
    const port = await freePortBase(1)
    const url = `http://127.0.0.1:${port}`
    const indexer = startCli(['index', 'start', '--port', String(port), '--topic', catalog, '--bans-topic', bans, '--snapshot-file', snapshotFile], env)
    await indexer.waitFor(/"msg":"caught up; serving fresh results"/, 60_000, 'stderr')

    const table = await runCli(['search', 'умных часов', '--indexer-url', url, '--user', 'cli-user'], env)
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/12345\s+Умные часы XYZ\s+XYZ\s+Электроника\s+4\s999,99 ₽\s+130/)
    expect(table.stdout).toMatch(/1 of 1 match\(es\), [\d.]+ ms \(indexer\)/)

    const typo = JSON.parse((await runCli(['search', 'смартфн', '--indexer-url', url, '--in-stock', '--json'], env)).stdout) as {
      servedBy: string
      mode: string
      hits: Array<{product_id: string; available: number}>
    }
    expect(typo).toMatchObject({servedBy: 'indexer', mode: 'all-words-fuzzy'})
    expect(typo.hits.map((h) => h.product_id)).toEqual(['12347'])

    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toMatch(/mkt_search_queries_total\{mode="all-words",worker="[^"]+"\} 1/)
    expect(metrics).toMatch(/mkt_search_query_seconds_count\{worker="[^"]+"\} 2/)
    expect(metrics).toMatch(/mkt_search_documents\{kind="visible",worker="[^"]+"\} 74/)
    expect(metrics).toMatch(/nodejs_eventloop_lag_p99_seconds\{worker="[^"]+"\}/)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)

    indexer.child.kill('SIGTERM')
    expect(await indexer.exited).toBe(0)
    expect(fs.existsSync(snapshotFile)).toBe(true)

    const local = await runCli(['search', 'умных часов', '--indexer-url', url, '--topic', catalog, '--snapshot-file', snapshotFile], env)
    expect(local.code).toBe(0)
    expect(local.stderr).toMatch(
      new RegExp(`No indexer answered at ${url}; searched a local copy: the snapshot of \\S+ \\(74 products\\) plus 0 record\\(s\\) caught up from ${catalog}`),
    )
    expect(local.stdout).toMatch(/12345\s+Умные часы XYZ/)
    expect(local.stdout).toMatch(/\(local\)/)

    const refusals: Array<[string[], RegExp]> = [
      [['search', ''], /The search query is empty\./],
      [['search', 'я'.repeat(201)], /at most 200 are allowed/],
      [['search', 'часы', '--min-price', '-5'], /--min-price must be a price of 0 or more, got -5/],
      [['search', 'часы', '--max-price', 'дёшево'], /--max-price must be a number, got "дёшево"/],
      [['search', 'часы', '--sort', 'cheapest'], /Unknown sort "cheapest"/],
    ]
    for (const [args, message] of refusals) {
      const result = await runCli([...args, '--indexer-url', url], env)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(message)
    }
  })
})
