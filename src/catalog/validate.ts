import {z} from 'zod'

import type {ProductCard} from './card.js'

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'))

export const LIMITS = {
  id: 64,
  name: 200,
  description: 5000,
  label: 100,
  tags: 50,
  tag: 50,
  images: 20,
  url: 2048,
  alt: 300,
  specifications: 100,
  specKey: 100,
  specValue: 1000,
  price: 1_000_000_000,
  stock: 2_147_483_647,
} as const

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)
const identifier = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.id, `must be at most ${LIMITS.id} characters`)
  .regex(/^[\p{L}\p{N}._:/-]+$/u, 'may contain letters, digits and . _ : / - only')
const count = z.int('must be a whole number').min(0, 'must be >= 0').max(LIMITS.stock, `must be <= ${LIMITS.stock}`)
const timestamp = z.iso.datetime({offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2023-10-01T12:00:00Z'})
const httpUrl = z
  .string()
  .max(LIMITS.url, `must be at most ${LIMITS.url} characters`)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol)
    } catch {
      return false
    }
  }, 'must be an http(s) URL')

/** The one validator every entry point uses (shop send, and later HTTP or Connect ingestion). */
const cardSchema = z
  .object({
    product_id: identifier,
    name: text(LIMITS.name),
    description: z.string().max(LIMITS.description, `must be at most ${LIMITS.description} characters`).default(''),
    price: z.object({
      amount: z.number('must be a number').min(0, 'must be >= 0').max(LIMITS.price, `must be <= ${LIMITS.price}`),
      currency: z.string().refine((c) => CURRENCIES.has(c), 'must be an ISO 4217 currency code such as RUB, USD, EUR'),
    }),
    category: text(LIMITS.label),
    brand: text(LIMITS.label),
    stock: z
      .object({available: count, reserved: count})
      .refine((s) => s.reserved <= s.available, {message: 'must not exceed stock.available', path: ['reserved']}),
    sku: identifier,
    tags: z.array(text(LIMITS.tag)).max(LIMITS.tags, `must have at most ${LIMITS.tags} tags`).default([]),
    images: z
      .array(z.object({url: httpUrl, alt: z.string().max(LIMITS.alt, `must be at most ${LIMITS.alt} characters`).default('')}))
      .max(LIMITS.images, `must have at most ${LIMITS.images} images`)
      .default([]),
    specifications: z
      .record(text(LIMITS.specKey), z.union([z.string(), z.number(), z.boolean()]).transform(String).pipe(z.string().max(LIMITS.specValue, `must be at most ${LIMITS.specValue} characters`)))
      .refine((s) => Object.keys(s).length <= LIMITS.specifications, `must have at most ${LIMITS.specifications} entries`)
      .default({}),
    store_id: identifier,
    created_at: timestamp.optional(),
    updated_at: timestamp.optional(),
  })
  .refine((c) => !c.created_at || !c.updated_at || Date.parse(c.updated_at) >= Date.parse(c.created_at), {message: 'must not be before created_at', path: ['updated_at']})

export type Validation = {ok: true; card: ProductCard} | {ok: false; errors: string[]; productId?: string}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '') || '(card)'
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<PropertyKey, unknown>)[part]
  }
  return value
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number'
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

/**
 * Checks types and business rules and returns a normalized card (defaults
 * filled, timestamps set to `now` when absent), or every problem found.
 */
export function validateCard(input: unknown, now: () => string = () => new Date().toISOString()): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {ok: false, errors: [`(card): must be a JSON object, got ${Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input}`]}
  }
  const parsed = cardSchema.safeParse(input)
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      let message = issue.message
      if (issue.code === 'invalid_type') {
        const actual = valueAt(input, issue.path)
        message = actual === undefined ? 'is required' : `must be ${article(issue.expected)}, got ${describeValue(actual)}`
      }
      return `${formatPath(issue.path)}: ${message}`
    })
    const id = (input as {product_id?: unknown}).product_id
    return {ok: false, errors, ...(typeof id === 'string' && id ? {productId: id} : {})}
  }
  const card = parsed.data
  if (card.created_at && card.updated_at) return {ok: true, card: card as ProductCard}
  const stamp = now()
  return {ok: true, card: {...card, created_at: card.created_at ?? card.updated_at ?? stamp, updated_at: card.updated_at ?? stamp} as ProductCard}
}
