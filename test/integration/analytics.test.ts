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
import {recommendRequest, REQUESTS_TOPIC, type RecommendRequest} from '../../src/recommend/request.js'
import type {UserRecommendations} from '../../src/recommend/answer.js'
import {SEARCHES_TOPIC, type SearchEvent} from '../../src/search/events.js'
import {fromValues, sendCards} from '../../src/shop/index.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')

const CATEGORIES = {
  Электроника: ['Samsung', 'Samsung', 'Xiaomi', 'Apple', 'Sony', 'Xiaomi'],
  Книги: ['Эксмо', 'АСТ', 'Эксмо', 'Питер', 'Азбука', 'Эксмо'],
  Спорт: ['Nike', 'Adidas', 'Nike', 'Demix', 'Nike', 'Puma'],
}
/** 18 cards, 6 per category, with prices and stock chosen so every statistic is distinct. */
const cards: ProductCard[] = Object.entries(CATEGORIES).flatMap(([category, brands], c) =>
  brands.map((brand, i) => ({
    product_id: `a${c}${i}`,
    name: `${category} товар ${i}`,
    description: `Описание ${category} ${i}`,
    price: {amount: 1000 * (c + 1) + 137 * i, currency: 'RUB'},
    category,
    brand,
    stock: {available: 10 + 3 * i + c, reserved: i},
    sku: `SKU-A${c}${i}`,
    tags: [],
    images: [],
    specifications: {},
    store_id: 'store_001',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: `2026-0${c + 1}-1${i}T00:00:00Z`,
  })),
)
const BANNED = 'a15' // a book: out of the statistics and of every list

function search(userId: string, resultIds: string[], category: string | null = null): SearchEvent {
  return {
    event_id: `${userId}-${Math.random()}`,
    user_id: userId,
    query: 'товар',
    category,
    brand: null,
    min_price: null,
    max_price: null,
    in_stock: false,
    sort: 'relevance',
    limit: 10,
    result_ids: resultIds,
    total_hits: resultIds.length,
    match_mode: resultIds.length > 0 ? 'all-words' : 'none',
    latency_ms: 1,
    served_by: 'local',
    searched_at: '2026-03-01T10:00:00Z',
  }
}

describe('the Spark analytics job', () => {
  it('computes exact category statistics, category-faithful ALS lists and fallbacks, and archives Parquet by date', async () => {
    const [products, dlq, bans, searches, views, requests, stats, recommendations] = await Promise.all([
      freshTopic(profile, 'it-a-products'),
      freshTopic(profile, 'it-a-dlq', 1),
      freshTopic(profile, 'it-a-bans', 1, {'cleanup.policy': 'compact'}),
      freshTopic(profile, 'it-a-searches'),
      freshTopic(profile, 'it-a-views'),
      freshTopic(profile, 'it-a-requests'),
      freshTopic(profile, 'it-a-stats', 3, {'cleanup.policy': 'compact'}),
      freshTopic(profile, 'it-a-recs', 3, {'cleanup.policy': 'compact'}),
    ])
    await sendCards(profile, fromValues(cards), {topic: products, dlqTopic: dlq})
    await addBans(profile, [{productId: BANNED, reason: 'test'}], {topic: bans})

    const byCategory = (c: number) => cards.filter((x) => x.product_id.startsWith(`a${c}`)).map((x) => x.product_id)
    const viewSink = await EventSink.open<ViewEvent>(profile, {topic: views, schemaTopic: VIEWS_TOPIC, key: (e) => e.user_id, role: 'test'})
    const searchSink = await EventSink.open<SearchEvent>(profile, {topic: searches, schemaTopic: SEARCHES_TOPIC, key: (e) => e.user_id, role: 'test'})
    const requestSink = await EventSink.open<RecommendRequest>(profile, {topic: requests, schemaTopic: REQUESTS_TOPIC, key: (e) => e.user_id, role: 'test'})
    // Electronics fans, book readers and sportsmen; each views only their category.
    const fans: Array<[string, number]> = [
      ['u-elec', 0],
      ['u-elec2', 0],
      ['u-elec3', 0],
      ['u-book', 1],
      ['u-book2', 1],
      ['u-book3', 1],
      ['u-sport', 2],
      ['u-sport2', 2],
    ]
    for (const [user, c] of fans) {
      const own = byCategory(c)
      for (let round = 0; round < 3; round++)
        for (const id of own.slice(round % 2, own.length - (user.endsWith('2') ? 1 : 0))) viewSink.emit(viewEvent(user, id, 'test'))
      searchSink.emit(search(user, own.slice(0, 3)))
    }
    searchSink.emit(search('u-catsearch', [], 'Спорт')) // searched a category, found nothing: no history
    requestSink.emit(recommendRequest({userId: 'u-new'})) // only ever asked
    await Promise.all([viewSink.close(), searchSink.close(), requestSink.close()])

    const lake = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-it-lake-'))
    const steps: string[] = []
    const summary = await runAnalytics(profile, {
      master: 'local[2]',
      lake,
      topics: {products, bans, searches, views, requests, stats, recommendations},
      onProgress: (e) => e.type === 'done' && steps.push(e.id),
    })
    expect(steps).toEqual(['read-products', 'read-events', 'spark', 'category-stats', 'recommendations', 'archive'])
    expect(summary).toMatchObject({products: 17, banned: 1, categories: 3, users: 10, als_users: 8, category_fallback_users: 1, popular_fallback_users: 1})

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
    expect(fs.readdirSync(path.join(lake, 'views', dates('views')[0]!)).some((f) => f.endsWith('.parquet'))).toBe(true)
  })
})
