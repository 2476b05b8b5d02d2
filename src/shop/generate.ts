import type {Faker} from '@faker-js/faker'

import type {ProductCard} from '../catalog/card.js'
import {seededFaker} from '../seeded-faker.js'
import {CATALOGUE, COLOURS, type ProductKind} from './vocabulary.js'

export interface GenerateOptions {
  count: number
  seed?: number
  store?: string
  /** First product id (numeric ids follow on), so several runs can avoid collisions. */
  firstId?: number
}

const KINDS: Array<[string, ProductKind]> = Object.entries(CATALOGUE).flatMap(([category, kinds]) => kinds.map((k) => [category, k] as [string, ProductKind]))
const EPOCH = Date.parse('2024-01-01T00:00:00Z')
const SPAN = Date.parse('2026-01-01T00:00:00Z') - EPOCH

export function skuPrefix(brand: string): string {
  const latin = brand.toUpperCase().replaceAll(/[^A-Z0-9]/g, '')
  return (latin || 'MKT').slice(0, 6)
}

/** When a card was created and last updated: within 2024–2025, updated up to 90 days later. */
export function cardDates(faker: Faker): {created_at: string; updated_at: string} {
  const created = EPOCH + faker.number.int({min: 0, max: SPAN})
  const updated = created + faker.number.int({min: 0, max: 90 * 86_400_000})
  return {created_at: new Date(created).toISOString(), updated_at: new Date(updated).toISOString()}
}

/** One of twenty shops. */
export function storeId(faker: Faker): string {
  return `store_${String(faker.number.int({min: 1, max: 20})).padStart(3, '0')}`
}

/**
 * A realistic synthetic Russian catalogue: same seed, same cards. Streams
 * (a generator), so a million cards never sit in memory.
 */
export function* generateCards(options: GenerateOptions): Generator<ProductCard> {
  const faker = seededFaker(options.seed ?? 1)
  const first = options.firstId ?? 100_000
  for (let i = 0; i < options.count; i++) {
    const [category, kind] = faker.helpers.arrayElement(KINDS)
    const brand = faker.helpers.arrayElement(kind.brands)
    const model = faker.helpers.arrayElement(kind.models)
    const variant = kind.variants ? ` ${faker.helpers.arrayElement(kind.variants)}` : ''
    const colour = kind.colours ? `, ${faker.helpers.arrayElement(COLOURS)}` : ''
    const id = String(first + i)
    const dates = cardDates(faker)
    const available = faker.helpers.weightedArrayElement([
      {weight: 1, value: 0},
      {weight: 6, value: faker.number.int({min: 1, max: 50})},
      {weight: 3, value: faker.number.int({min: 51, max: 1000})},
    ])
    const name = `${kind.noun} ${brand} ${model}${variant}${colour}`
    const slug = `p${id}`
    yield {
      product_id: id,
      name,
      description: `${kind.description} ${brand} ${model}${variant}.`,
      // Shop-like prices: whole tens, some ending in .99 (1 990 or 1 989.99)
      price: {
        amount: (Math.round(faker.number.float({min: kind.price[0], max: kind.price[1]}) / 10) * 1000 - faker.helpers.arrayElement([0, 1])) / 100,
        currency: 'RUB',
      },
      category,
      brand,
      stock: {available, reserved: faker.number.int({min: 0, max: Math.floor(available / 5)})},
      sku: `${skuPrefix(brand)}-${id}`,
      tags: [...kind.tags, ...(colour ? [colour.slice(2)] : [])],
      images: [{url: `https://example.com/images/${slug}.jpg`, alt: `${name} - вид спереди`}],
      specifications: Object.fromEntries(Object.entries(kind.specs).map(([k, values]) => [k, faker.helpers.arrayElement(values)])),
      store_id: options.store ?? storeId(faker),
      ...dates,
    }
  }
}
