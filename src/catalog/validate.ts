import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import formats from 'ajv-formats'
import {regexes} from 'zod/v4/core'

import type {ProductCard} from './card.js'
import {CARD_JSON_SCHEMA, FORMAT_MESSAGES, PATTERN_MESSAGES} from './card-schema.js'

export {LIMITS} from './card-schema.js'

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'))

export type Validation = {ok: true; card: ProductCard} | {ok: false; errors: string[]; productId?: string}

// ajv compiles the schema to one function: a few microseconds per card, the hot path of ingestion.
let compiled: ValidateFunction | undefined
function schemaCheck(): ValidateFunction {
  if (compiled) return compiled
  const ajv = new Ajv({allErrors: true, allowUnionTypes: true})
  // A CommonJS module: from ESM its function is the default import, which TypeScript types as the module.
  ;(formats as unknown as (ajv: Ajv, names: string[]) => void)(ajv, ['uri'])
  // zod's ISO date-time rule (a zone required, real calendar days, leap years) is one regular expression,
  // ten times cheaper than ajv-formats' parsing date-time check; two of them per card.
  ajv.addFormat('date-time', regexes.datetime({offset: true}))
  compiled = ajv.compile(CARD_JSON_SCHEMA)
  return compiled
}

type Json = Record<string, unknown>

/** "price.amount", "images[0].url" from a JSON Pointer. */
function formatPath(pointer: string, child?: string): string {
  const parts = pointer.split('/').slice(1)
  if (child !== undefined) parts.push(child)
  const path = parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '')
  return path || '(card)'
}

function valueAt(input: unknown, pointer: string): unknown {
  let value = input
  for (const part of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Json)[part]
  }
  return value
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  object: 'an object',
  array: 'an array',
  boolean: 'a boolean',
}

function message(error: ErrorObject, input: unknown): string | undefined {
  const text = describe(error, input)
  // A failing specification key: its errors carry the key's name.
  return text && error.propertyName !== undefined ? text.replace(': ', `: key ${JSON.stringify(error.propertyName)} `) : text
}

function describe(error: ErrorObject, input: unknown): string | undefined {
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return `${formatPath(error.instancePath, String(p.missingProperty))}: is required`
    case 'type': {
      const expected = String(p.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ')
      return `${formatPath(error.instancePath)}: must be ${expected}, got ${describeValue(valueAt(input, error.instancePath))}`
    }
    case 'minimum':
      return `${formatPath(error.instancePath)}: must be >= ${String(p.limit)}`
    case 'maximum':
      return `${formatPath(error.instancePath)}: must be <= ${String(p.limit)}`
    case 'minLength':
      return `${formatPath(error.instancePath)}: must not be empty`
    case 'maxLength':
      return `${formatPath(error.instancePath)}: must be at most ${String(p.limit)} characters`
    case 'maxItems':
      return `${formatPath(error.instancePath)}: must have at most ${String(p.limit)} ${formatPath(error.instancePath).replace(/.*\./, '')}`
    case 'maxProperties':
      return `${formatPath(error.instancePath)}: must have at most ${String(p.limit)} entries`
    case 'pattern':
      return `${formatPath(error.instancePath)}: ${PATTERN_MESSAGES[String(p.pattern)] ?? `must match ${String(p.pattern)}`}`
    case 'format':
      return `${formatPath(error.instancePath)}: ${FORMAT_MESSAGES[String(p.format)] ?? `must be a ${String(p.format)}`}`
    case 'propertyNames':
      return undefined // the name's own error (below it) says what is wrong
    default:
      return `${formatPath(error.instancePath)}: ${error.message ?? 'is invalid'}`
  }
}

/** UTC timestamps written alike ("…T…Z", same length) sort as text, which is cheaper than parsing both. */
function isBefore(a: string, b: string): boolean {
  const alike = a.length === b.length && a[10] === 'T' && b[10] === 'T' && a.endsWith('Z') && b.endsWith('Z')
  return alike ? a < b : Date.parse(a) < Date.parse(b)
}

/** What the schema cannot say; each rule only where the fields it compares are well-typed. */
function businessRules(card: Json): string[] {
  const errors: string[] = []
  const price = card.price as Json | undefined
  if (typeof price?.currency === 'string' && !CURRENCIES.has(price.currency))
    errors.push('price.currency: must be an ISO 4217 currency code such as RUB, USD, EUR')
  const stock = card.stock as Json | undefined
  if (Number.isInteger(stock?.available) && Number.isInteger(stock?.reserved) && (stock!.reserved as number) > (stock!.available as number))
    errors.push('stock.reserved: must not exceed stock.available')
  if (typeof card.created_at === 'string' && typeof card.updated_at === 'string' && isBefore(card.updated_at, card.created_at))
    errors.push('updated_at: must not be before created_at')
  return errors
}

/** The card as it travels: trimmed text, defaults filled, spec values as text, unknown fields dropped. */
function normalize(input: Json, now: () => string): ProductCard {
  const price = input.price as Json
  const stock = input.stock as Json
  const specs: Record<string, string> = {}
  for (const [key, value] of Object.entries((input.specifications as Json | undefined) ?? {})) specs[key.trim()] = String(value)
  const created = input.created_at as string | undefined
  const updated = input.updated_at as string | undefined
  const stamp = created && updated ? '' : now()
  return {
    product_id: (input.product_id as string).trim(),
    name: (input.name as string).trim(),
    description: (input.description as string | undefined) ?? '',
    price: {amount: price.amount as number, currency: price.currency as string},
    category: (input.category as string).trim(),
    brand: (input.brand as string).trim(),
    stock: {available: stock.available as number, reserved: stock.reserved as number},
    sku: (input.sku as string).trim(),
    tags: ((input.tags as string[] | undefined) ?? []).map((t) => t.trim()),
    images: ((input.images as Json[] | undefined) ?? []).map((i) => ({url: i.url as string, alt: (i.alt as string | undefined) ?? ''})),
    specifications: specs,
    store_id: (input.store_id as string).trim(),
    created_at: created ?? updated ?? stamp,
    updated_at: updated ?? stamp,
  }
}

/**
 * The one validator every entry point uses (shop send, and later HTTP or
 * Connect ingestion): checks types, limits and business rules and returns a
 * normalized card (defaults filled, timestamps set to `now` when absent), or
 * every problem found. The input is not modified.
 */
export function validateCard(input: unknown, now: () => string = () => new Date().toISOString()): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {ok: false, errors: [`(card): must be a JSON object, got ${Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input}`]}
  }
  const check = schemaCheck()
  const valid = check(input)
  const errors = valid ? [] : check.errors!.map((e) => message(e, input)).filter((m): m is string => m !== undefined)
  errors.push(...businessRules(input as Json))
  if (errors.length > 0) {
    const id = (input as {product_id?: unknown}).product_id
    return {ok: false, errors: [...new Set(errors)], ...(typeof id === 'string' && id.trim() ? {productId: id.trim()} : {})}
  }
  return {ok: true, card: normalize(input as Json, now)}
}
