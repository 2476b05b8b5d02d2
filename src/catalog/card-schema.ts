/**
 * The product card as JSON Schema (draft-07): the input contract of every
 * entry point, compiled once by ajv. Types and limits live here; the rules
 * JSON Schema cannot say (a known currency, reserved <= available, updated
 * after created) are checked next to it in validate.ts.
 */
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

/** Patterns and formats, each with the message a user reads when it fails. */
export const NOT_BLANK = '\\S'
export const IDENTIFIER = '^\\s*[\\p{L}\\p{N}._:/-]+\\s*$'
export const HTTP_URL = '^[Hh][Tt][Tt][Pp][Ss]?://'
export const PATTERN_MESSAGES: Record<string, string> = {
  [NOT_BLANK]: 'must not be empty',
  [IDENTIFIER]: 'may contain letters, digits and . _ : / - only',
  [HTTP_URL]: 'must be an http(s) URL',
}
export const FORMAT_MESSAGES: Record<string, string> = {
  'date-time': 'must be an ISO 8601 date-time with a zone, e.g. 2023-10-01T12:00:00Z',
  uri: 'must be an http(s) URL',
}

const text = (max: number) => ({type: 'string', minLength: 1, maxLength: max, pattern: NOT_BLANK})
const identifier = {type: 'string', minLength: 1, maxLength: LIMITS.id, allOf: [{pattern: NOT_BLANK}, {pattern: IDENTIFIER}]}
const count = {type: 'integer', minimum: 0, maximum: LIMITS.stock}
const timestamp = {type: 'string', format: 'date-time'}

export const CARD_JSON_SCHEMA = {
  type: 'object',
  required: ['product_id', 'name', 'price', 'category', 'brand', 'stock', 'sku', 'store_id'],
  properties: {
    product_id: identifier,
    name: text(LIMITS.name),
    description: {type: 'string', maxLength: LIMITS.description},
    price: {
      type: 'object',
      required: ['amount', 'currency'],
      properties: {amount: {type: 'number', minimum: 0, maximum: LIMITS.price}, currency: {type: 'string'}},
    },
    category: text(LIMITS.label),
    brand: text(LIMITS.label),
    stock: {type: 'object', required: ['available', 'reserved'], properties: {available: count, reserved: count}},
    sku: identifier,
    tags: {type: 'array', maxItems: LIMITS.tags, items: text(LIMITS.tag)},
    images: {
      type: 'array',
      maxItems: LIMITS.images,
      items: {
        type: 'object',
        required: ['url'],
        properties: {url: {type: 'string', maxLength: LIMITS.url, allOf: [{pattern: HTTP_URL}, {format: 'uri'}]}, alt: {type: 'string', maxLength: LIMITS.alt}},
      },
    },
    specifications: {
      type: 'object',
      maxProperties: LIMITS.specifications,
      propertyNames: text(LIMITS.specKey),
      additionalProperties: {type: ['string', 'number', 'boolean'], maxLength: LIMITS.specValue},
    },
    store_id: identifier,
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const
