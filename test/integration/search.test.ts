import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterEach, describe, expect, inject, it} from 'vitest'

import {addBans, removeBan} from '../../src/bans/index.js'
import type {ProductCard} from '../../src/catalog/card.js'
import {consumeTopic} from '../../src/consume/index.js'
import {workerLogger} from '../../src/log-structured.js'
import {startIndexer, type Indexer, type SearchEvent, type SearchRequest} from '../../src/search/index.js'
import {fromValues, openCardFile, sendCards} from '../../src/shop/index.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')
const logger = workerLogger('test-index').child({}, {level: 'warn'})
const SAMPLE = path.resolve(import.meta.dirname, '../../data/products.json')
const watch = (JSON.parse(fs.readFileSync(SAMPLE, 'utf8')) as ProductCard[]).find((c) => c.product_id === '12345')!

async function lane() {
  const [catalog, dlq, bans, searches] = await Promise.all([
    freshTopic(profile, 'it-s-cat', 3),
    freshTopic(profile, 'it-s-dlq', 1),
    freshTopic(profile, 'it-s-bans', 1, {'cleanup.policy': 'compact'}),
    freshTopic(profile, 'it-s-q', 1),
  ])
  return {catalog, dlq, bans, searches, snapshotFile: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-it-search-')), 'catalog.snapshot')}
}
type Lane = Awaited<ReturnType<typeof lane>>

const running: Indexer[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.stop()))
})
async function indexer(l: Lane, options: {rebuild?: boolean; snapshotFile?: string} = {}): Promise<Indexer> {
  const started = await startIndexer(profile, {
    logger,
    topic: l.catalog,
    bansTopic: l.bans,
    searchesTopic: l.searches,
    snapshotFile: options.snapshotFile ?? l.snapshotFile,
    snapshotIntervalS: 0,
    ...(options.rebuild ? {rebuild: true} : {}),
  })
  running.push(started)
  await started.ready
  return started
}

const ids = (i: Indexer, request: SearchRequest) => i.search(request).hits.map((h) => h.product_id)

/** Polls until the condition holds; returns how long it took. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await sleep(10)
  }
  return Date.now() - started
}

describe('search indexer on the real cluster', () => {
  it('indexes the filtered catalogue, hides a ban within a second, shows it again, and shows a new price', async () => {
    const l = await lane()
    await sendCards(profile, (await openCardFile(SAMPLE)).items, {topic: l.catalog, dlqTopic: l.dlq})
    const live = await indexer(l)
    expect(live.health()).toMatchObject({ok: true, caughtUp: true, products: 74, visible: 74})
    expect(ids(live, {text: 'умных часов'})).toEqual(['12345'])

    await addBans(profile, [{productId: '12345', reason: 'test'}], {topic: l.bans})
    const hiddenAfter = await until(() => !ids(live, {text: 'умных часов'}).includes('12345'), 1000, 'the banned product vanishes')
    expect(hiddenAfter).toBeLessThan(1000)
    expect(ids(live, {text: 'XYZ-12345'})).toEqual([])

    await removeBan(profile, {productId: '12345'}, {topic: l.bans})
    await until(() => ids(live, {text: 'умных часов'}).includes('12345'), 1000, 'the unbanned product is back at once')

    await sendCards(profile, fromValues([{...watch, price: {amount: 3999, currency: 'RUB'}, updated_at: new Date().toISOString()}]), {
      topic: l.catalog,
      dlqTopic: l.dlq,
    })
    await until(() => live.search({text: 'XYZ-12345'}).hits[0]?.price === 3999, 5000, 'the new price shows')
    expect(live.health().products).toBe(74) // a new version replaces the old one
  })

  it('fails to become ready, with a clear error, when the catalogue topic does not exist', async () => {
    const l = await lane()
    const broken = await startIndexer(profile, {
      logger,
      topic: 'it-s-no-such-topic',
      bansTopic: l.bans,
      searchesTopic: l.searches,
      snapshotFile: l.snapshotFile,
      snapshotIntervalS: 0,
    })
    await expect(broken.ready).rejects.toThrow('No topic named "it-s-no-such-topic"')
    await expect(broken.done).rejects.toThrow('No topic named')
  })

  it('records every search in client-searches', async () => {
    const l = await lane()
    await sendCards(profile, (await openCardFile(SAMPLE)).items, {topic: l.catalog, dlqTopic: l.dlq})
    const live = await indexer(l)
    const answer = live.search({text: 'наушники', limit: 5, maxPrice: 30000, sort: 'price-asc'}, 'u-42')
    live.search({text: 'смартфн'})
    await live.stop() // flushes the events
    const events: SearchEvent[] = []
    await consumeTopic(profile, l.searches, {onRecord: (r) => events.push(r.value as SearchEvent)})
    expect(events).toHaveLength(2)
    expect(events[0]).toMatchObject({
      user_id: 'u-42',
      query: 'наушники',
      max_price: 30000,
      min_price: null,
      sort: 'price-asc',
      limit: 5,
      result_ids: answer.hits.map((h) => h.product_id),
      total_hits: answer.total,
      match_mode: 'all-words',
      served_by: 'indexer',
    })
    expect(events[0]!.result_ids.length).toBeGreaterThan(0)
    expect(events[1]).toMatchObject({user_id: 'anonymous', query: 'смартфн', match_mode: 'all-words-fuzzy'})
  })

  it('restarts from its snapshot without rereading the topic, with the same results as a full rebuild', async () => {
    const l = await lane()
    await sendCards(profile, (await openCardFile(SAMPLE)).items, {topic: l.catalog, dlqTopic: l.dlq})
    await addBans(profile, [{sku: 'LANVIN-12390', reason: 'test'}], {topic: l.bans})
    const first = await indexer(l)
    await first.stop()
    running.splice(running.indexOf(first), 1)
    expect(fs.existsSync(l.snapshotFile)).toBe(true)

    // Written while it was down: both the restarted and the rebuilt index must see it.
    await sendCards(profile, fromValues([{...watch, product_id: '99999', sku: 'XYZ-99999', name: 'Умные часы XYZ 2'}]), {topic: l.catalog, dlqTopic: l.dlq})
    const restarted = await indexer(l)
    const rebuilt = await indexer(l, {rebuild: true, snapshotFile: `${l.snapshotFile}.rebuilt`})
    const reread = async (i: Indexer) => (await i.metrics.records.get()).values.reduce((n, v) => n + v.value, 0)
    expect(await reread(restarted)).toBe(1) // only what came after the snapshot
    expect(await reread(rebuilt)).toBe(75)
    for (const text of ['умных часов', 'смартфн', 'Samsung', 'XYZ-12345', 'парфюмерная вода', 'белый', 'книга классика']) {
      expect(ids(restarted, {text, limit: 50})).toEqual(ids(rebuilt, {text, limit: 50}))
    }
    expect(ids(restarted, {text: 'умных часов'})).toEqual(expect.arrayContaining(['12345', '99999']))
    expect(ids(restarted, {text: 'парфюмерная вода'})).not.toContain('12390') // banned by SKU
  })
})
