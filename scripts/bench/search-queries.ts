import type {SearchRequest} from '../../src/search/index.js'
import type {ProductCard} from '../../src/catalog/card.js'
import {generateCards, type GenerateOptions} from '../../src/shop/generate.js'
import {generateRealisticCards} from '../../src/shop/realistic.js'

/** Which catalogue bench:search runs on: realistic (default; a name and a description per card) or simple (few distinct texts). */
export const BENCH_CATALOGUE: 'simple' | 'realistic' = process.env.BENCH_CATALOGUE === 'simple' ? 'simple' : 'realistic'

export function benchCards(options: GenerateOptions): Generator<ProductCard> {
  return BENCH_CATALOGUE === 'realistic' ? generateRealisticCards(options) : generateCards(options)
}

/**
 * The fixed mixed query set of bench:search, over the generated catalogue:
 * single words, inflected forms, typos, brand and model, Latin and
 * Cyrillic, prefixes, exact SKUs, filters and sorts — what shoppers type.
 */
export function benchQueries(seed: number): SearchRequest[] {
  const skus = [...benchCards({count: 5, seed})].map((c) => c.sku)
  return [
    {text: 'смартфон'},
    {text: 'смартфон samsung'},
    {text: 'смартфоны xiaomi 8/256'},
    {text: 'iphone 15'},
    {text: 'умные часы'},
    {text: 'умных часов huawei'},
    {text: 'наушники'},
    {text: 'беспроводные наушники sony'},
    {text: 'ноутбук'},
    {text: 'ноутбуки для учебы'},
    {text: 'телевизор'},
    {text: 'кроссовки'},
    {text: 'кроссовки nike белые'},
    {text: 'джинсы levis'},
    {text: 'куртка зимняя'},
    {text: 'пылесос'},
    {text: 'кофемашина'},
    {text: 'чайник белый'},
    {text: 'книга'},
    {text: 'смартфн'},
    {text: 'наушнки'},
    {text: 'кросовки'},
    {text: 'телевизр samsung'},
    {text: 'науш'},
    {text: 'кофем'},
    {text: 'galaxy s24'},
    ...skus.map((text) => ({text})),
    {text: 'смартфон', category: 'Электроника', minPrice: 10000, maxPrice: 30000},
    {text: 'наушники', maxPrice: 5000, inStock: true},
    {text: 'кроссовки', sort: 'price-asc'},
    {text: 'ноутбук', sort: 'newest'},
    {text: 'часы', brand: 'Apple'},
    {text: 'для'},
    {text: 'холодильник'},
  ]
}
