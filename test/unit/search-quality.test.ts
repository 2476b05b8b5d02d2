import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {validateCard} from '../../src/catalog/validate.js'
import type {ProductCard} from '../../src/catalog/card.js'
import {CatalogIndex, loadSnapshot, parseSearchQuery, saveSnapshot, SNAPSHOT_VERSION} from '../../src/search/index.js'

const META = {
  format: 'mkt-search-snapshot' as const,
  version: SNAPSHOT_VERSION,
  topic: 'filtered-products',
  brokers: ['127.0.0.1:9092'],
  savedAt: '2026-12-02T00:00:00.000Z',
  offsets: {'0': '42'},
}

interface QualityCase {
  query: string
  why: string
  category?: string
  brand?: string
  min_price?: number
  max_price?: number
  in_stock?: boolean
  sort?: string
  first?: string[]
  includes?: string[]
  exactly?: string[]
  excludes?: string[]
  mode?: string
}

const root = path.resolve(import.meta.dirname, '../..')
const cases = parse(fs.readFileSync(path.join(root, 'test/fixtures/search-queries.yaml'), 'utf8')) as QualityCase[]
const sample = (JSON.parse(fs.readFileSync(path.join(root, 'data/products.json'), 'utf8')) as unknown[]).map((c) => {
  const v = validateCard(c)
  if (!v.ok) throw new Error(v.errors.join('; '))
  return v.card
})

function indexOf(cards: ProductCard[], isBanned?: (id: string, sku: string) => boolean): CatalogIndex {
  const index = new CatalogIndex(isBanned)
  for (const card of cards) index.upsert(card)
  return index
}

const ask = (index: CatalogIndex, c: Omit<QualityCase, 'why'>) =>
  index.search(
    parseSearchQuery({
      text: c.query,
      limit: 20,
      ...(c.category ? {category: c.category} : {}),
      ...(c.brand ? {brand: c.brand} : {}),
      ...(c.min_price !== undefined ? {minPrice: c.min_price} : {}),
      ...(c.max_price !== undefined ? {maxPrice: c.max_price} : {}),
      ...(c.in_stock ? {inStock: true} : {}),
      ...(c.sort ? {sort: c.sort} : {}),
    }),
  )

describe('search quality over the sample catalogue', () => {
  const index = indexOf(sample)
  it('has a query set worth the name', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20)
  })

  it.each(cases.map((c) => [`${c.query} — ${c.why}`, c] as const))('%s', (_, c) => {
    const outcome = ask(index, c)
    const ids = outcome.hits.map((h) => h.product_id)
    if (c.first) expect(ids.slice(0, c.first.length)).toEqual(c.first)
    if (c.includes) expect(ids).toEqual(expect.arrayContaining(c.includes))
    if (c.exactly) expect([...ids].sort()).toEqual([...c.exactly].sort())
    if (c.excludes) for (const id of c.excludes) expect(ids).not.toContain(id)
    if (c.mode) expect(outcome.mode).toBe(c.mode)
    expect(outcome.total).toBeGreaterThanOrEqual(ids.length)
  })
})

describe('catalogue index', () => {
  const watch = sample.find((c) => c.product_id === '12345')!

  it('hides a banned product at once and shows it again when the ban is lifted', () => {
    const bans = new Set<string>()
    const index = indexOf(sample, (id, sku) => bans.has(`product:${id}`) || bans.has(`sku:${sku}`))
    const ids = () => ask(index, {query: 'умные часы'}).hits.map((h) => h.product_id)
    expect(ids()).toContain('12345')
    bans.add('product:12345')
    index.banChanged('product', '12345')
    expect(ids()).not.toContain('12345')
    expect(ask(index, {query: 'XYZ-12345'}).hits).toEqual([])
    bans.delete('product:12345')
    index.banChanged('product', '12345')
    expect(ids()).toContain('12345')
    bans.add('sku:XYZ-12345')
    index.banChanged('sku', 'XYZ-12345')
    expect(ids()).not.toContain('12345')
    expect(index.visible).toBe(sample.length - 1)
  })

  it('keeps only the latest version: a new price shows, old words stop matching', () => {
    const index = indexOf(sample)
    index.upsert({
      ...watch,
      name: 'Смарт-часы XYZ Pro',
      tags: ['гаджеты'],
      description: 'Новая модель.',
      price: {amount: 3999, currency: 'RUB'},
      updated_at: '2030-01-01T00:00:00Z',
    })
    const hit = ask(index, {query: 'XYZ'}).hits.find((h) => h.product_id === '12345')
    expect(hit).toMatchObject({price: 3999, name: 'Смарт-часы XYZ Pro', updated_at: '2030-01-01T00:00:00.000Z'})
    expect(ask(index, {query: 'умные'}).hits.map((h) => h.product_id)).not.toContain('12345')
    expect(index.size).toBe(sample.length)
  })

  it('scores identical texts once and ranks their products by freshness, filters by each one', () => {
    const index = new CatalogIndex()
    const copies = [1, 2, 3].map((i) => ({
      ...watch,
      product_id: `w${i}`,
      sku: `XYZ-W${i}`,
      price: {amount: 1000 * i, currency: 'RUB'},
      updated_at: `2025-01-0${i}T00:00:00Z`,
    }))
    for (const card of copies) index.upsert(card)
    expect(index.texts).toBe(1)
    expect(ask(index, {query: 'часы'}).hits.map((h) => h.product_id)).toEqual(['w3', 'w2', 'w1'])
    expect(ask(index, {query: 'часы', max_price: 2000}).hits.map((h) => h.product_id)).toEqual(['w2', 'w1'])
    index.upsert({...copies[0]!, name: 'Часы другие'})
    expect(index.texts).toBe(2)
    index.remove('w2')
    index.remove('w3')
    expect(index.texts).toBe(1)
    expect(ask(index, {query: 'часы'}).hits.map((h) => h.product_id)).toEqual(['w1'])
  })

  it('restored from its snapshot file, answers exactly as the original', async () => {
    const bans = new Set(['product:12349'])
    const isBanned = (id: string) => bans.has(`product:${id}`)
    const index = indexOf(sample, isBanned)
    index.remove('12350') // a dead document in the file
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-snap-')), 'catalog.snapshot')
    await saveSnapshot(file, {...META, products: index.size, texts: index.texts}, index.snapshot())
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const {snapshot} = await loadSnapshot(file, {topic: META.topic, brokers: META.brokers})
    const restored = new CatalogIndex(isBanned, snapshot!.data)
    for (const c of cases) expect(ask(restored, c)).toEqual(ask(index, c))
    expect([restored.visible, restored.size, restored.texts]).toEqual([index.visible, index.size, index.texts])
    // And it keeps indexing: a new card and an update are found, the old text is not.
    restored.upsert({...watch, name: 'Часы-кукушка деревянные', tags: [], description: 'Для дома.'})
    expect(ask(restored, {query: 'кукушка'}).hits.map((h) => h.product_id)).toEqual(['12345'])
    expect(ask(restored, {query: 'умные'}).hits.map((h) => h.product_id)).not.toContain('12345')
  })

  it('scores the same whatever order the cards were read in (partitions interleave differently on every read)', () => {
    const forward = indexOf(sample)
    const backward = indexOf([...sample].reverse())
    for (const c of cases) expect(ask(backward, c), c.query).toEqual(ask(forward, c))
  })

  it('refuses a damaged or foreign snapshot with the reason, and loads none', async () => {
    const index = indexOf(sample)
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-snap-')), 'catalog.snapshot')
    await saveSnapshot(file, {...META, products: index.size, texts: index.texts}, index.snapshot())
    expect((await loadSnapshot(file, {topic: 'other', brokers: META.brokers})).skipped).toBe(`${file} indexes topic ${META.topic}, not other`)
    fs.truncateSync(file, fs.statSync(file).size - 10)
    expect((await loadSnapshot(file, {topic: META.topic, brokers: META.brokers})).skipped).toMatch(/is damaged: section products\.currency is cut short/)
  })
})

describe('search query validation', () => {
  it('refuses empty and too long queries, bad limits, unknown sorts and negative or crossed prices', () => {
    expect(() => parseSearchQuery({text: '   '})).toThrow('The search query is empty.')
    expect(() => parseSearchQuery({text: 'а'.repeat(201)})).toThrow('The search query is 201 characters long; at most 200 are allowed.')
    expect(() => parseSearchQuery({text: 'x', sort: 'cheapest'})).toThrow('Unknown sort "cheapest".')
    expect(() => parseSearchQuery({text: 'x', minPrice: -1})).toThrow('--min-price must be a price of 0 or more, got -1.')
    expect(() => parseSearchQuery({text: 'x', minPrice: 10, maxPrice: 5})).toThrow('--min-price 10 is above --max-price 5.')
    expect(() => parseSearchQuery({text: 'x', limit: 0})).toThrow('--limit must be a whole number from 1 to 100, got 0.')
    expect(parseSearchQuery({text: ' часы ', category: ' Электроника '})).toEqual({text: 'часы', limit: 10, sort: 'relevance', category: 'Электроника'})
  })
})
