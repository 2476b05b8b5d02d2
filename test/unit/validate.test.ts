/* eslint-disable @typescript-eslint/no-explicit-any -- these tests mangle cards into deliberately invalid shapes */
import fs from 'node:fs'

import {describe, expect, it} from 'vitest'

import {LIMITS, validateCard} from '../../src/catalog/validate.js'

const sample = JSON.parse(fs.readFileSync('data/products.json', 'utf8')) as Array<Record<string, unknown>>
const watch = sample.find((c) => c.product_id === '12345')!
const withChange = (change: (card: Record<string, any>) => void) => {
  const card = structuredClone(watch) as Record<string, any>
  change(card)
  return validateCard(card)
}
const errorsOf = (result: ReturnType<typeof validateCard>) => (result.ok ? [] : result.errors)

describe('card validation', () => {
  it("accepts every card of the sample catalogue, the seeds' smart watch among them", () => {
    expect(sample.length).toBeGreaterThanOrEqual(60)
    expect(new Set(sample.map((c) => c.category)).size).toBeGreaterThanOrEqual(6)
    expect(watch).toMatchObject({name: 'Умные часы XYZ', sku: 'XYZ-12345', price: {amount: 4999.99, currency: 'RUB'}})
    for (const card of sample) expect(errorsOf(validateCard(card)), String(card.product_id)).toEqual([])
  })

  it.each([
    ['an empty id', (c: any) => (c.product_id = '  '), 'product_id: must not be empty'],
    ['a blank name', (c: any) => (c.name = ''), 'name: must not be empty'],
    ['a negative price', (c: any) => (c.price.amount = -0.01), 'price.amount: must be >= 0'],
    ['an unknown currency', (c: any) => (c.price.currency = 'RUR'), 'price.currency: must be an ISO 4217 currency code such as RUB, USD, EUR'],
    ['a price given as text', (c: any) => (c.price.amount = '4999'), 'price.amount: must be a number, got the string "4999"'],
    ['negative stock', (c: any) => (c.stock.available = -1), 'stock.available: must be >= 0'],
    ['fractional stock', (c: any) => (c.stock.reserved = 1.5), 'stock.reserved: must be a whole number, got number 1.5'],
    ['reserved above available', (c: any) => (c.stock.reserved = 151), 'stock.reserved: must not exceed stock.available'],
    [
      'a date without a zone',
      (c: any) => (c.created_at = '2023-10-01 12:00'),
      'created_at: must be an ISO 8601 date-time with a zone, e.g. 2023-10-01T12:00:00Z',
    ],
    [
      'a day February 2023 did not have',
      (c: any) => (c.created_at = '2023-02-29T12:00:00Z'),
      'created_at: must be an ISO 8601 date-time with a zone, e.g. 2023-10-01T12:00:00Z',
    ],
    ['updated before created', (c: any) => (c.updated_at = '2020-01-01T00:00:00Z'), 'updated_at: must not be before created_at'],
    ['updated before created, in another zone', (c: any) => (c.updated_at = '2023-10-01T14:59:59.5+03:00'), 'updated_at: must not be before created_at'],
    ['a non-http image URL', (c: any) => (c.images[0].url = 'javascript:alert(1)'), 'images[0].url: must be an http(s) URL'],
    ['a name over the limit', (c: any) => (c.name = 'ы'.repeat(LIMITS.name + 1)), `name: must be at most ${LIMITS.name} characters`],
    ['too many tags', (c: any) => (c.tags = Array.from({length: LIMITS.tags + 1}, (_, i) => `t${i}`)), `tags: must have at most ${LIMITS.tags} tags`],
    ['a missing sku', (c: any) => delete c.sku, 'sku: is required'],
    ['tags as a string', (c: any) => (c.tags = 'часы'), 'tags: must be an array, got the string "часы"'],
  ])('rejects %s', (_label, change, message) => {
    expect(errorsOf(withChange(change))).toContain(message)
  })

  it('reports every problem at once, and the product id for the DLQ key', () => {
    const result = withChange((c) => {
      c.price.amount = -1
      c.stock.reserved = 1000
      delete c.brand
    })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.productId).toBe('12345')
    expect(errorsOf(result)).toHaveLength(3)
  })

  it('names a bad specification key, and leaves the input as it was while normalizing the card', () => {
    expect(errorsOf(withChange((c) => (c.specifications = {'  ': 'x'})))).toEqual(['specifications: key "  " must not be empty'])
    const input = {...structuredClone(watch), name: '  Умные часы XYZ ', brand: ' XYZ', internal_note: 'не для витрины'}
    const before = structuredClone(input)
    const result = validateCard(input)
    expect(input).toEqual(before)
    expect(result.ok && result.card).toMatchObject({name: 'Умные часы XYZ', brand: 'XYZ'})
    expect(result.ok && Object.keys(result.card)).not.toContain('internal_note')
  })

  it('compares timestamps as instants, whatever their zone and precision', () => {
    expect(errorsOf(withChange((c) => (c.updated_at = '2023-10-01T15:00:00.000+03:00')))).toEqual([]) // the same instant as created_at
    expect(errorsOf(withChange((c) => (c.updated_at = '2023-10-01T12:00:00.001Z')))).toEqual([])
    expect(errorsOf(withChange((c) => (c.updated_at = '2024-02-29T23:59:59+05:00')))).toEqual([]) // a leap day
    expect(errorsOf(withChange((c) => (c.updated_at = '2023-10-01T11:59:59Z')))).toEqual(['updated_at: must not be before created_at'])
  })

  it('rejects what is not an object', () => {
    expect(errorsOf(validateCard([1]))).toEqual(['(card): must be a JSON object, got an array'])
    expect(errorsOf(validateCard(null))).toEqual(['(card): must be a JSON object, got null'])
    expect(errorsOf(validateCard('x'))).toEqual(['(card): must be a JSON object, got string'])
  })

  it('fills defaults: empty optional lists, timestamps from the clock, spec values as text', () => {
    const minimal = {
      product_id: 'p1',
      name: 'Чайник',
      price: {amount: 0, currency: 'RUB'},
      category: 'Дом',
      brand: 'Kitfort',
      stock: {available: 0, reserved: 0},
      sku: 'KT-1',
      store_id: 's1',
      specifications: {Объём: 1.7, Подсветка: true},
    }
    const result = validateCard(minimal, () => '2026-01-02T03:04:05.000Z')
    expect(result).toEqual({
      ok: true,
      card: {
        ...minimal,
        description: '',
        tags: [],
        images: [],
        specifications: {Объём: '1.7', Подсветка: 'true'},
        created_at: '2026-01-02T03:04:05.000Z',
        updated_at: '2026-01-02T03:04:05.000Z',
      },
    })
  })
})
