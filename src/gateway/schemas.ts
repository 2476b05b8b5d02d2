import {CARD_JSON_SCHEMA} from '../catalog/card-schema.js'
import {MAX_RECOMMENDATIONS} from '../recommend/request.js'
import {MAX_LIMIT, MAX_QUERY_LENGTH, SORTS} from '../search/query.js'

/**
 * The gateway's contract as JSON Schema: the OpenAPI document is generated
 * from these and Fastify validates with them. The card is the very schema
 * `mkt shop send` validates with (src/catalog/card-schema.ts).
 */

export const MAX_BATCH = 500

/** 1-64 letters, digits or . _ : @ - (src/events/ids.ts). */
const eventId = {type: 'string', pattern: '^[\\p{L}\\p{N}._:@-]{1,64}$'} as const
const nullable = (schema: object) => ({anyOf: [schema, {type: 'null'}]})

export const CARD = {$id: 'ProductCard', ...CARD_JSON_SCHEMA} as const

export const PRODUCT = {
  $id: 'Product',
  type: 'object',
  required: ['product_id', 'name', 'brand', 'category', 'sku', 'price', 'currency', 'available', 'updated_at'],
  properties: {
    product_id: {type: 'string'},
    name: {type: 'string'},
    brand: {type: 'string'},
    category: {type: 'string'},
    sku: {type: 'string'},
    price: {type: 'number'},
    currency: {type: 'string'},
    available: {type: 'integer', description: 'Stock available minus reserved.'},
    updated_at: {type: 'string'},
  },
} as const

const CARD_RESULT = {
  type: 'object',
  required: ['index', 'product_id', 'status'],
  properties: {
    index: {type: 'integer', description: 'Position of the card in the batch (0 for a single card).'},
    product_id: nullable({type: 'string'}),
    status: {type: 'string', enum: ['accepted', 'rejected']},
    partition: {type: 'integer'},
    reason: {type: 'string'},
    errors: {type: 'array', items: {type: 'string'}, description: 'The same reasons and field paths as the DLQ record.'},
  },
} as const

export const SEND_RESULT = {
  $id: 'SendResult',
  type: 'object',
  required: ['accepted', 'rejected', 'results'],
  properties: {accepted: {type: 'integer'}, rejected: {type: 'integer'}, results: {type: 'array', items: CARD_RESULT}},
} as const

export const PRODUCT_LOOKUP = {
  $id: 'ProductLookup',
  type: 'object',
  required: ['product', 'banned'],
  properties: {product: {$ref: 'Product#'}, banned: {type: 'boolean'}},
} as const

export const SEARCH_QUERY = {
  type: 'object',
  required: ['q'],
  properties: {
    q: {type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH, pattern: '\\S', description: 'Words to search for, or a SKU.'},
    limit: {type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 10},
    category: {type: 'string', minLength: 1},
    brand: {type: 'string', minLength: 1},
    min_price: {type: 'number', minimum: 0},
    max_price: {type: 'number', minimum: 0},
    in_stock: {type: 'boolean'},
    sort: {type: 'string', enum: [...SORTS]},
    user: {...eventId, description: 'Who searches (recorded in client-searches); anonymous when absent.'},
  },
} as const

export const SEARCH_RESULT = {
  $id: 'SearchResult',
  type: 'object',
  required: ['total', 'mode', 'tookMs', 'hits'],
  properties: {
    total: {type: 'integer'},
    mode: {type: 'string', enum: ['sku', 'all-words', 'all-words-fuzzy', 'any-word', 'none']},
    tookMs: {type: 'number'},
    notice: {type: 'string'},
    hits: {type: 'array', items: {allOf: [{$ref: 'Product#'}, {type: 'object', required: ['score'], properties: {score: {type: 'number'}}}]}},
  },
} as const

export const VIEW = {
  $id: 'View',
  type: 'object',
  required: ['user_id', 'product_id'],
  properties: {user_id: eventId, product_id: eventId},
} as const

export const VIEW_EVENT = {
  $id: 'ViewEvent',
  type: 'object',
  required: ['event_id', 'user_id', 'product_id', 'source', 'viewed_at'],
  properties: {event_id: {type: 'string'}, user_id: {type: 'string'}, product_id: {type: 'string'}, source: {type: 'string'}, viewed_at: {type: 'string'}},
} as const

export const RECOMMEND_INPUT = {
  $id: 'RecommendationAsk',
  type: 'object',
  required: ['user_id'],
  properties: {
    user_id: eventId,
    category: {type: 'string', minLength: 1, pattern: '\\S'},
    max_price: {type: 'number', minimum: 0},
    limit: {type: 'integer', minimum: 1, maximum: MAX_RECOMMENDATIONS, default: 10},
  },
} as const

const RECOMMEND_REQUEST = {
  type: 'object',
  required: ['request_id', 'user_id', 'limit', 'requested_at'],
  properties: {
    request_id: {type: 'string'},
    user_id: {type: 'string'},
    category: nullable({type: 'string'}),
    max_price: nullable({type: 'number'}),
    limit: {type: 'integer'},
    requested_at: {type: 'string'},
  },
} as const

const RECOMMEND_REPLY = {
  type: 'object',
  required: ['request_id', 'user_id', 'items', 'source', 'answered_at'],
  properties: {
    request_id: {type: 'string'},
    user_id: {type: 'string'},
    source: {type: 'string', description: 'als, category-popular, popular, or none before the first `mkt analytics run`.'},
    model_version: nullable({type: 'string'}),
    computed_at: nullable({type: 'string'}),
    answered_at: {type: 'string'},
    worker: {type: 'string'},
    items: {
      type: 'array',
      items: {allOf: [{$ref: 'Product#'}, {type: 'object', required: ['score'], properties: {score: {type: 'number'}}}]},
    },
  },
} as const

export const RECOMMENDATION = {
  $id: 'Recommendation',
  type: 'object',
  required: ['request_id', 'status'],
  properties: {
    request_id: {type: 'string'},
    status: {type: 'string', enum: ['pending', 'answered']},
    request: RECOMMEND_REQUEST,
    reply: RECOMMEND_REPLY,
  },
} as const

export const BAN_INPUT = {
  $id: 'BanAsk',
  type: 'object',
  required: ['reason'],
  properties: {reason: {type: 'string', minLength: 1, maxLength: 500, pattern: '\\S'}},
} as const

export const BAN = {
  $id: 'Ban',
  type: 'object',
  required: ['key', 'kind', 'target', 'reason', 'banned_at', 'banned_by'],
  properties: {
    key: {type: 'string'},
    kind: {type: 'string', enum: ['product', 'sku']},
    target: {type: 'string'},
    reason: {type: 'string'},
    banned_at: {type: 'string'},
    banned_by: {type: 'string'},
    updated: {type: 'boolean', description: 'On PUT: the key was banned already and this replaced its reason.'},
  },
} as const

export const BAN_LIST = {
  $id: 'BanList',
  type: 'object',
  required: ['bans'],
  properties: {bans: {type: 'array', items: {$ref: 'Ban#'}}},
} as const

export const SHARED_SCHEMAS = [
  CARD,
  PRODUCT,
  SEND_RESULT,
  PRODUCT_LOOKUP,
  SEARCH_RESULT,
  VIEW,
  VIEW_EVENT,
  RECOMMEND_INPUT,
  RECOMMENDATION,
  BAN_INPUT,
  BAN,
  BAN_LIST,
]
