import {MktError} from '../errors.js'

export const SORTS = ['relevance', 'price-asc', 'price-desc', 'newest'] as const
export type SearchSort = (typeof SORTS)[number]

export const MAX_QUERY_LENGTH = 200
export const MAX_LIMIT = 100

/** A validated search: what `mkt search`, the indexer's HTTP endpoint and the events share. */
export interface SearchQuery {
  text: string
  limit: number
  category?: string
  brand?: string
  minPrice?: number
  maxPrice?: number
  inStock?: boolean
  sort: SearchSort
}

export interface SearchRequest {
  text?: string
  limit?: number
  category?: string
  brand?: string
  minPrice?: number
  maxPrice?: number
  inStock?: boolean
  sort?: string
}

const usage = (message: string, hint: string) => new MktError(message, hint, 'usage')

function price(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isFinite(value) || value < 0) throw usage(`${name} must be a price of 0 or more, got ${value}.`, `For example ${name} 1000.`)
  return value
}

/** A price as typed on the command line ("1 999,90" too). */
export function parsePrice(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw.replaceAll(/\s/g, '').replace(',', '.'))
  if (raw.trim() === '' || !Number.isFinite(value)) throw usage(`${flag} must be a number, got "${raw}".`, `For example ${flag} 1000.`)
  return value
}

/** Checks a request once for every entry point; every problem is a usage error naming the option. */
export function parseSearchQuery(request: SearchRequest): SearchQuery {
  const text = (request.text ?? '').trim()
  if (text.length === 0) throw usage('The search query is empty.', 'Give some words, e.g. mkt search "умные часы".')
  if (text.length > MAX_QUERY_LENGTH)
    throw usage(
      `The search query is ${text.length} characters long; at most ${MAX_QUERY_LENGTH} are allowed.`,
      'Search for a few words, not a whole description.',
    )
  const limit = request.limit ?? 10
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw usage(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}.`, 'For example --limit 20.')
  const sort = request.sort ?? 'relevance'
  if (!(SORTS as readonly string[]).includes(sort)) throw usage(`Unknown sort "${sort}".`, `Use one of: ${SORTS.join(', ')}.`)
  const minPrice = price(request.minPrice, '--min-price')
  const maxPrice = price(request.maxPrice, '--max-price')
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice)
    throw usage(`--min-price ${minPrice} is above --max-price ${maxPrice}.`, 'Swap them or widen the range.')
  const category = request.category?.trim()
  const brand = request.brand?.trim()
  return {
    text,
    limit,
    sort: sort as SearchSort,
    ...(category ? {category} : {}),
    ...(brand ? {brand} : {}),
    ...(minPrice !== undefined ? {minPrice} : {}),
    ...(maxPrice !== undefined ? {maxPrice} : {}),
    ...(request.inStock ? {inStock: true} : {}),
  }
}
