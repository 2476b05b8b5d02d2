import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, inject, it} from 'vitest'

import {readCategoryStats, runAnalytics} from '../../src/analytics/index.js'
import {addBans} from '../../src/bans/index.js'
import type {ProductCard} from '../../src/catalog/card.js'
import {viewEvent, VIEWS_TOPIC, type ViewEvent} from '../../src/client/views.js'
import {consumeTopic} from '../../src/consume/index.js'
import {EventSink} from '../../src/events/index.js'
import type {UserRecommendations} from '../../src/recommend/answer.js'
import {fromValues, sendCards} from '../../src/shop/index.js'
import {BANNED, CATEGORIES, cards, seedAnalytics} from '../fixtures/analytics-data.js'

const profile = inject('profile')

describe('the Spark analytics job', () => {
  it('computes exact category statistics, category-faithful ALS lists and fallbacks, and archives Parquet by date', async () => {
    const {products, dlq, bans, searches, views, requests, stats, recommendations} = await seedAnalytics(profile, 'it-a')

    const lake = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-it-lake-'))
    const steps: string[] = []
    const summary = await runAnalytics(profile, {
      master: 'local[2]',
      lake,
      topics: {products, bans, searches, views, requests, stats, recommendations},
      onProgress: (e) => e.type === 'done' && steps.push(e.id),
    })
    expect(steps).toEqual(['spark', 'read-products', 'read-events', 'category-stats', 'recommendations', 'archive'])
    expect(summary).toMatchObject({products: 17, banned: 1, categories: 3, users: 10, als_users: 8, category_fallback_users: 1, popular_fallback_users: 1})
    const viewCount = summary.views
    expect(summary).toMatchObject({batch: 1, read: {products: 18, bans: 1, views: viewCount, searches: 9, requests: 1}})

    // Category statistics, computed here independently of Spark.
    const live = cards.filter((c) => c.product_id !== BANNED)
    const expected = Object.keys(CATEGORIES).map((category) => {
      const mine = live.filter((c) => c.category === category)
      const prices = mine.map((c) => c.price.amount)
      const brands = new Map<string, number>()
      for (const c of mine) brands.set(c.brand, (brands.get(c.brand) ?? 0) + 1)
      return {
        category,
        product_count: mine.length,
        avg_price: expect.closeTo(prices.reduce((a, b) => a + b, 0) / prices.length, 6),
        min_price: Math.min(...prices),
        max_price: Math.max(...prices),
        total_available: mine.reduce((n, c) => n + c.stock.available - c.stock.reserved, 0),
        // Ties by name in code point order, as Spark sorts strings.
        top_brands: [...brands]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 3)
          .map(([brand, products]) => ({brand, products})),
        computed_at: summary.computed_at,
      }
    })
    const computed = await readCategoryStats(profile, stats)
    expect([...computed].sort((a, b) => a.category.localeCompare(b.category))).toEqual([...expected].sort((a, b) => a.category.localeCompare(b.category)))

    const lists = new Map<string, UserRecommendations>()
    await consumeTopic(profile, recommendations, {onRecord: (r) => lists.set(r.key!, r.value as UserRecommendations)})
    const elec = lists.get('u-elec')!
    expect(elec.source).toBe('als')
    const top = elec.items.slice(0, 5).map((i) => i.product_id)
    expect(top.filter((id) => id.startsWith('a0')).length).toBeGreaterThanOrEqual(4) // mostly its one category
    expect(elec.items.length).toBeLessThanOrEqual(50)
    for (const list of lists.values()) expect(list.items.map((i) => i.product_id)).not.toContain(BANNED)
    expect(lists.get('u-catsearch')).toMatchObject({source: 'category-popular'})
    expect(lists.get('u-catsearch')!.items.every((i) => i.product_id.startsWith('a2'))).toBe(true)
    expect(lists.get('u-new')).toMatchObject({source: 'popular', model_version: summary.model_version})
    expect(lists.get('*')!.items.length).toBe(17)
    expect(lists.get('*:Книги')!.items.every((i) => i.product_id.startsWith('a1'))).toBe(true)

    // The archive: one Parquet partition per day of the data.
    const dates = (dir: string) =>
      fs
        .readdirSync(path.join(lake, dir))
        .filter((d) => d.startsWith('date='))
        .sort()
    expect(dates('products')).toEqual([`date=${summary.computed_at.slice(0, 10)}`]) // the catalogue as of this run
    expect(dates('searches')).toEqual(['date=2026-03-01'])
    const parquetFiles = (dir: string): string[] =>
      fs
        .readdirSync(dir, {withFileTypes: true})
        .flatMap((e) => (e.isDirectory() ? parquetFiles(path.join(dir, e.name)) : e.name.endsWith('.parquet') ? [path.join(dir, e.name)] : []))
    expect(parquetFiles(path.join(lake, 'views')).length).toBeGreaterThan(0)

    // Incremental: the next run reads only what arrived since, and the statistics stay exact. It is killed once
    // before its commit first: the run after it redoes the batch, replacing what the killed one wrote, not adding to it.
    const added: ProductCard = {
      ...cards[0]!,
      product_id: 'a09',
      sku: 'SKU-A09',
      brand: 'Apple',
      price: {amount: 99_999, currency: 'RUB'},
      stock: {available: 7, reserved: 0},
    }
    await sendCards(profile, fromValues([added]), {topic: products, dlqTopic: dlq})
    await addBans(profile, [{sku: 'SKU-A22', reason: 'test'}], {topic: bans}) // a sports product, by SKU
    const lateViews = await EventSink.open<ViewEvent>(profile, {topic: views, schemaTopic: VIEWS_TOPIC, key: (e) => e.user_id, role: 'test'})
    lateViews.emit(viewEvent('u-late', 'a09', 'test'))
    lateViews.emit(viewEvent('u-late', 'a08', 'test'))
    await lateViews.close()
    const topics = {products, bans, searches, views, requests, stats, recommendations}
    const kill = new AbortController()
    const killed = runAnalytics(profile, {
      master: 'local[2]',
      lake,
      topics,
      signal: kill.signal,
      onProgress: (e) => e.type === 'done' && e.id === 'read-events' && kill.abort(), // the new views are in the archive, the commit is not written
    })
    await expect(killed).rejects.toThrow(/was stopped .* before it committed/)
    expect(parquetFiles(path.join(lake, 'views')).some((f) => f.includes('batch=2'))).toBe(true)
    expect(fs.readdirSync(path.join(lake, '_commits'))).not.toContain('00000002.json')

    const run = (full = false) => runAnalytics(profile, {master: 'local[2]', lake, full, topics})
    const second = await run()
    // views counts the whole archive: the killed run's copy of the two new views would make it viewCount + 4.
    expect(second).toMatchObject({batch: 2, read: {products: 1, bans: 1, searches: 0, views: 2, requests: 0}, products: 17, banned: 2, views: viewCount + 2})
    const liveNow = [...cards, added].filter((c) => c.product_id !== BANNED && c.sku !== 'SKU-A22')
    const electronics = liveNow.filter((c) => c.category === 'Электроника')
    const statsNow = new Map((await readCategoryStats(profile, stats)).map((s) => [s.category, s]))
    expect(statsNow.get('Электроника')).toMatchObject({
      product_count: electronics.length,
      max_price: 99_999,
      total_available: electronics.reduce((n, c) => n + c.stock.available - c.stock.reserved, 0),
      computed_at: second.computed_at,
    })
    expect(statsNow.get('Спорт')!.product_count).toBe(5)
    const listsNow = new Map<string, UserRecommendations>()
    await consumeTopic(profile, recommendations, {onRecord: (r) => listsNow.set(r.key!, r.value as UserRecommendations)})
    expect(listsNow.get('u-late')!.source).toBe('als') // known from the new views alone, with the history kept in the lake
    for (const list of listsNow.values()) expect(list.items.map((i) => i.product_id)).not.toContain('a22')

    // And --full reads everything again, replacing the archive rather than adding a copy.
    const full = await run(true)
    expect(full).toMatchObject({batch: 3, read: {products: 19, bans: 2, views: viewCount + 2}, views: viewCount + 2, products: 17, banned: 2})
    expect(parquetFiles(path.join(lake, 'views')).every((f) => f.includes('batch=3'))).toBe(true)
    fs.rmSync(lake, {recursive: true, force: true})
  }, 900_000)
})
