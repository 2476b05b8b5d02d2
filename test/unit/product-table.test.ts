import {describe, expect, it} from 'vitest'

import type {ProductCard} from '../../src/catalog/card.js'
import {ProductTable} from '../../src/catalog/product-table.js'
import {testCard} from '../helpers/cards.js'

// Stock 5 − 1 reserved, updated at a time with milliseconds: what the table reads back.
const card = (id: string, overrides: Partial<ProductCard> = {}) =>
  testCard(id, {stock: {available: 5, reserved: 1}, updated_at: '2026-01-02T03:04:05.000Z', ...overrides})

describe('the product table', () => {
  it('holds the latest version of each product, as the card says', () => {
    const table = new ProductTable()
    table.upsert(card('a'))
    table.upsert(card('a', {name: 'Новое имя', price: {amount: 120.5, currency: 'USD'}, brand: 'Другой', updated_at: '2026-02-01T00:00:00.000Z'}))
    expect(table.get('a')).toEqual({
      product_id: 'a',
      name: 'Новое имя',
      brand: 'Другой',
      category: 'Книги',
      sku: 'SKU-a',
      price: 120.5,
      currency: 'USD',
      available: 4,
      updated_at: '2026-02-01T00:00:00.000Z',
    })
    expect([table.size, table.get('nope')]).toEqual([1, undefined])
  })

  it('applies product and SKU bans live, also to a SKU that moved between products', () => {
    const bans = new Set<string>()
    const table = new ProductTable((id, sku) => bans.has(id) || bans.has(sku))
    table.upsert(card('a'))
    table.upsert(card('a', {sku: 'SKU-x'}))
    table.upsert(card('b', {sku: 'SKU-x'}))
    table.upsert(card('c'))
    bans.add('SKU-x')
    table.banChanged('sku', 'SKU-x')
    expect([table.get('a'), table.get('b'), table.visible]).toEqual([undefined, undefined, 1])
    bans.add('SKU-a') // a's old SKU: bans nothing any more
    table.banChanged('sku', 'SKU-a')
    bans.add('c')
    table.banChanged('product', 'c')
    expect(table.visible).toBe(0)
    bans.clear()
    for (const target of ['SKU-x', 'SKU-a']) table.banChanged('sku', target)
    table.banChanged('product', 'c')
    expect(table.visible).toBe(3)
  })

  it('forgets a removed product, reuses its slot, and keeps the rest', () => {
    const table = new ProductTable()
    for (const id of ['a', 'b', 'c']) table.upsert(card(id))
    const freed = table.slotOf('b')
    expect(table.remove('b')).toBe(true)
    expect([table.get('b'), table.remove('b'), table.size]).toEqual([undefined, false, 2])
    expect(table.upsert(card('d'))).toBe(freed)
    expect(table.skuSlots('SKU-b')).toEqual([])
    expect([...table.visibleSlots()].map((s) => table.product(s).product_id).sort()).toEqual(['a', 'c', 'd'])
  })

  it('grows past its first columns and comes back from a capture with a free slot, re-checking bans', () => {
    const table = new ProductTable()
    for (let i = 0; i < 3000; i++) table.upsert(card(`p${i}`, {price: {amount: i, currency: i % 2 ? 'RUB' : 'KZT'}, category: `Кат ${i % 7}`}))
    table.remove('p10')
    const captured = table.capture()
    table.upsert(card('later')) // after the capture: not in it
    const restored = new ProductTable((id) => id === 'p11', captured)
    expect([restored.size, restored.visible, restored.get('later'), restored.get('p10'), restored.get('p11')]).toEqual([
      2999,
      2998,
      undefined,
      undefined,
      undefined,
    ])
    expect(restored.get('p2999')).toEqual(table.get('p2999'))
    expect(restored.get('p2998')).toMatchObject({price: 2998, currency: 'KZT', category: 'Кат 2'})
    expect(restored.upsert(card('new'))).toBe(table.slotOf('later'))
  })
})
