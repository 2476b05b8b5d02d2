import {describe, expect, it} from 'vitest'

import {parseDuration} from '../../src/analytics/job.js'
import {answer, RecommendationLists, recommendRequest, type UserRecommendations} from '../../src/recommend/index.js'
import {ProductTable} from '../../src/catalog/product-table.js'
import {testCard} from '../helpers/cards.js'

const card = (id: string, category: string, price: number, available: number) =>
  testCard(id, {category, price: {amount: price, currency: 'RUB'}, stock: {available, reserved: 0}})
const list = (user: string, ids: string[], source = 'als'): UserRecommendations => ({
  user_id: user,
  items: ids.map((product_id, i) => ({product_id, score: 1 - i / 10})),
  source,
  model_version: 'v1',
  computed_at: '2026-01-01T00:00:00Z',
})

describe('the answer rule', () => {
  const banned = new Set(['p4'])
  const catalog = new ProductTable((id) => banned.has(id))
  for (const c of [
    card('p1', 'Книги', 500, 3),
    card('p2', 'Книги', 900, 0),
    card('p3', 'Спорт', 3000, 5),
    card('p4', 'Спорт', 100, 5),
    card('p5', 'Книги', 300, 1),
    card('p6', 'Спорт', 200, 2),
  ])
    catalog.upsert(c)
  catalog.banChanged('product', 'p4')
  const lists = new RecommendationLists()
  lists.apply('u1', list('u1', ['p1', 'p2', 'p3', 'p4', 'gone']))
  lists.apply('*', list('*', ['p6', 'p5', 'p1'], 'popular'))
  lists.apply('*:Книги', list('*:Книги', ['p5', 'p1'], 'popular'))

  it("keeps known, unbanned, in-stock products of the user's list, then tops up from the list for everyone", () => {
    const reply = answer(recommendRequest({userId: 'u1', limit: 5}), lists, catalog, 'w1')
    expect(reply.items.map((i) => i.product_id)).toEqual(['p1', 'p3', 'p6', 'p5'])
    expect(reply).toMatchObject({source: 'als', model_version: 'v1', worker: 'w1'})
  })

  it("applies the category (any case) and price, using the category's popular list", () => {
    expect(answer(recommendRequest({userId: 'u1', category: 'книги'}), lists, catalog, 'w').items.map((i) => i.product_id)).toEqual(['p1', 'p5'])
    expect(answer(recommendRequest({userId: 'u1', maxPrice: 400}), lists, catalog, 'w').items.map((i) => i.product_id)).toEqual(['p6', 'p5'])
  })

  it('answers strangers from the list for everyone, and says none when Spark never ran', () => {
    expect(answer(recommendRequest({userId: 'stranger', limit: 1}), lists, catalog, 'w')).toMatchObject({source: 'popular', items: [{product_id: 'p6'}]})
    expect(answer(recommendRequest({userId: 'u1'}), new RecommendationLists(), catalog, 'w')).toMatchObject({source: 'none', items: [], model_version: null})
  })

  it("forgets a list on a tombstone, and never serves * lists as a user's own", () => {
    const copy = new RecommendationLists()
    copy.apply('u1', list('u1', ['p1']))
    copy.apply('u1', null)
    expect(copy.forUser('u1')).toBeUndefined()
    expect(copy.forUser('*')).toBeUndefined()
  })
})

describe('request and flag validation', () => {
  it('refuses bad users, limits and prices', () => {
    expect(() => recommendRequest({userId: ''})).toThrow('--user must be 1-64 letters')
    expect(() => recommendRequest({userId: 'u', limit: 0})).toThrow('--limit must be a whole number from 1 to 50, got 0.')
    expect(() => recommendRequest({userId: 'u', maxPrice: -1})).toThrow('--max-price must be a price of 0 or more, got -1.')
    expect(recommendRequest({userId: ' u7 ', category: ' '})).toMatchObject({user_id: 'u7', category: null, max_price: null, limit: 10})
  })

  it('reads durations for --every', () => {
    expect(parseDuration('90s')).toBe(90_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(() => parseDuration('soon')).toThrow('--every must be a duration such as 90s, 5m or 1h30m, got "soon".')
    expect(() => parseDuration('500ms')).toThrow('--every must be at least 1s')
  })
})
