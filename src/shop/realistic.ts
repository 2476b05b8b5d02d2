import type {Faker} from '@faker-js/faker'

import type {ProductCard} from '../catalog/card.js'
import {seededFaker} from '../seeded-faker.js'
import {cardDates, skuPrefix, storeId, type GenerateOptions} from './generate.js'
import {BOOK_TITLE, CLOSINGS, COLOUR_STEMS, colourFor, FEATURES, NOUN_GENDER, SIZES} from './realistic-vocabulary.js'
import {CATALOGUE, type ProductKind} from './vocabulary.js'

const KINDS: Array<[string, ProductKind]> = Object.entries(CATALOGUE).flatMap(([category, kinds]) => kinds.map((k) => [category, k] as [string, ProductKind]))
const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXZ'

/** A manufacturer's model code such as SM-A155F or KT-6130B: unique enough that two cards rarely share one. */
function modelCode(faker: Faker, brand: string): string {
  const prefix = skuPrefix(brand).slice(0, 2).padEnd(2, 'X')
  const letter = faker.helpers.arrayElement([...LETTERS])
  const suffix = faker.helpers.maybe(() => faker.helpers.arrayElement([...LETTERS]), {probability: 0.4}) ?? ''
  return `${prefix}-${letter}${faker.number.int({min: 100, max: 9999})}${suffix}`
}

/** A book's own title, author and ISBN stand where other kinds have a model line and code. */
function bookIdentity(faker: Faker): {line: string; code: string} {
  const title = `«${faker.helpers.arrayElement(BOOK_TITLE.heads)} ${faker.helpers.arrayElement(BOOK_TITLE.tails)}»`
  const author = `${faker.helpers.arrayElement([...'АБВГДЕИКЛМНОПРСТ'])}. ${faker.helpers.arrayElement(BOOK_TITLE.surnames)}`
  const isbn = `978-5-${faker.number.int({min: 1000, max: 9999})}-${faker.number.int({min: 1000, max: 9999})}-${faker.number.int({min: 0, max: 9})}`
  return {line: `${title}, ${author}`, code: `ISBN ${isbn}`}
}

/** Shop prices are skewed: most cards sit in the cheaper part of a kind's range, a few near its top. Whole tens, some ending in .99. */
function skewedPrice(faker: Faker, [low, high]: [number, number]): number {
  const raw = low * (high / low) ** (faker.number.float({min: 0, max: 1}) ** 1.7)
  return (Math.round(raw / 10) * 1000 - faker.helpers.arrayElement([0, 1])) / 100
}

/** "a, b и c" */
function listed(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} и ${items.at(-1)}`
}

/**
 * A marketplace-like Russian catalogue in which every card has a name and a
 * description of its own: model codes, sizes, colours that agree with the
 * noun's gender, a few features drawn per category, specifications,
 * skewed prices and about one card in eight out of stock. Same seed, same
 * cards; streams, so a million cards never sit in memory. (generateCards
 * stays for uses that want few distinct texts.)
 */
export function* generateRealisticCards(options: GenerateOptions): Generator<ProductCard> {
  const faker = seededFaker(options.seed ?? 1)
  const first = options.firstId ?? 100_000
  for (let i = 0; i < options.count; i++) {
    const [category, kind] = faker.helpers.arrayElement(KINDS)
    const gender = NOUN_GENDER[kind.noun] ?? 'm'
    const brand = faker.helpers.arrayElement(kind.brands)
    const genre = faker.helpers.arrayElement(kind.models)
    const {line, code} = category === 'Книги' ? bookIdentity(faker) : {line: genre, code: modelCode(faker, brand)}
    const variant = kind.variants ? faker.helpers.arrayElement(kind.variants) : undefined
    const size = SIZES[category] ? faker.helpers.arrayElement(SIZES[category]) : undefined
    const stem = kind.colours ? faker.helpers.arrayElement(COLOUR_STEMS) : undefined
    const colour = stem ? colourFor(stem, gender) : undefined
    const features = faker.helpers.arrayElements(FEATURES[category] ?? [], {min: 2, max: 4})
    const specifications = Object.fromEntries(Object.entries(kind.specs).map(([k, values]) => [k, faker.helpers.arrayElement(values)]))
    const named = faker.helpers.maybe(() => features[0], {probability: 0.35})
    const name = [
      category === 'Книги' ? `${kind.noun} ${line}, ${genre}, ${brand}` : `${kind.noun} ${brand} ${line} ${code}${variant ? ` ${variant}` : ''}`,
      ...(size ? [`размер ${size}`] : []),
      ...(colour ? [colour] : []),
      ...(named ? [named] : []),
    ].join(', ')
    const specText = Object.entries(specifications)
      .map(([k, v]) => `${k.toLowerCase()}: ${v}`)
      .join('; ')
    const description = [
      kind.description,
      `Особенности: ${listed(features)}.`,
      `${specText.charAt(0).toUpperCase()}${specText.slice(1)}.`,
      category === 'Книги' ? `${code}.` : `Модель ${line} ${code}${stem ? `, цвет ${stem}` : ''}.`,
      faker.helpers.arrayElement(CLOSINGS[category] ?? ['']),
    ]
      .filter(Boolean)
      .join(' ')
    const available = faker.helpers.weightedArrayElement([
      {weight: 12, value: 0},
      {weight: 58, value: faker.number.int({min: 1, max: 50})},
      {weight: 30, value: faker.number.int({min: 51, max: 2000})},
    ])
    const id = String(first + i)
    const {created_at, updated_at} = cardDates(faker)
    yield {
      product_id: id,
      name,
      description,
      price: {amount: skewedPrice(faker, kind.price), currency: 'RUB'},
      category,
      brand,
      stock: {available, reserved: faker.number.int({min: 0, max: Math.floor(available / 5)})},
      sku: `${skuPrefix(brand)}-${id}`,
      tags: [...kind.tags, ...(colour ? [colour] : []), ...features.slice(0, 2)],
      images: [{url: `https://example.com/images/p${id}.jpg`, alt: `${kind.noun} ${brand} ${line} - вид спереди`}],
      specifications: {...specifications, ...(size ? {Размер: size} : {}), ...(category === 'Книги' ? {ISBN: code.slice(5)} : {Модель: code})},
      store_id: options.store ?? storeId(faker),
      created_at,
      updated_at,
    }
  }
}
