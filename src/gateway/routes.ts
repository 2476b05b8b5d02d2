import type {FastifyInstance, FastifyReply} from 'fastify'

import {MktError} from '../errors.js'
import type {BatchRefusal} from '../shop/index.js'
import type {GatewayBackends} from './backends.js'
import type {KeyRole} from './keys.js'
import {problem} from './problem.js'
import {BAN_INPUT, MAX_BATCH, RECOMMEND_INPUT, SEARCH_QUERY, VIEW} from './schemas.js'
import type {GatewayMetrics} from './server.js'

const json = (ref: string, description: string) => ({description, content: {'application/json': {schema: {$ref: `${ref}#`}}}})
const problems = {
  '4xx': {description: 'The request was refused (problem details).', content: {'application/problem+json': {schema: {$ref: 'Problem#'}}}},
  '5xx': {description: 'The platform could not answer (problem details).', content: {'application/problem+json': {schema: {$ref: 'Problem#'}}}},
}
const secured = [{apiKey: []}]
const READERS: readonly KeyRole[] = ['shop', 'storefront', 'admin']
const MAX_WAIT_MS = 30_000
const idParam = (name: string, description: string) => ({
  type: 'object',
  required: [name],
  properties: {[name]: {type: 'string', minLength: 1, maxLength: 64, pattern: '^[\\p{L}\\p{N}._:/@-]+$', description}},
})

/** `?wait=5s`, `?wait=500ms` or `?wait=5` (seconds), at most 30 s. */
export function parseWait(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw.trim())
  if (!match) throw new MktError(`wait must be a duration such as 5s or 500ms, got "${raw}".`, 'For example ?wait=5s.', 'usage')
  const ms = Number(match[1]) * (match[2] === 'ms' ? 1 : 1000)
  if (ms > MAX_WAIT_MS)
    throw new MktError(
      `wait may be at most ${MAX_WAIT_MS / 1000}s, got "${raw}".`,
      'Ask without wait and fetch the reply later with GET /v1/recommendations/{request_id}.',
      'usage',
    )
  return ms
}

/** The gateway answers searches and lookups from its own index: until that has caught up, 503 with Retry-After. */
function notReady(backends: GatewayBackends, reply: FastifyReply): boolean {
  if (backends.health().search.caughtUp) return false
  reply.header('Retry-After', '2')
  void reply
    .status(503)
    .type('application/problem+json')
    .send(
      problem(503, 'unreachable', 'The gateway is still reading the catalogue.', {suggestion: 'Try again in a few seconds; /healthz says when it is ready.'}),
    )
  return true
}

/** A batch refused before any card of it was sent, as the 400 it is. */
function refusalError(refused: Exclude<BatchRefusal, {code: 'foreignStore'}>): MktError {
  const schema = 'See the ProductCard schema in /openapi.json.'
  switch (refused.code) {
    case 'notJson':
      return new MktError(`The body is not valid JSON: ${refused.detail}`, schema, 'usage')
    case 'notCards':
      return new MktError('The body must be one card (a JSON object) or a non-empty array of cards.', schema, 'usage')
    case 'tooMany':
      return new MktError(`A batch may hold at most ${refused.max} cards, got ${refused.count}.`, `Split it into requests of ${refused.max}.`, 'usage')
  }
}

export function registerRoutes(app: FastifyInstance, options: {backends: GatewayBackends; maxBatch?: number | undefined; metrics: GatewayMetrics}): void {
  const {backends} = options
  const maxBatch = options.maxBatch ?? MAX_BATCH

  // The cards' bytes go to the card session as they came: it parses, checks and encodes them in one pass
  // into one buffer (as `mkt shop send` does its chunks), so the JSON is not parsed here first.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser('application/json', {parseAs: 'buffer'}, (_request, body, done) => done(null, body))
    scope.post<{Body: Buffer}>(
      '/v1/products',
      {
        config: {roles: ['shop', 'admin']},
        schema: {
          tags: ['shop'],
          summary: 'Send one product card or a batch of them',
          description: `Each card is validated as \`mkt shop send\` validates it and produced with the same idempotent acks=all producer; a rejected card goes to shop-products-dlq with its reasons. A shop key's card without store_id gets the key's store; a card of another store refuses the whole request (403). An admin key sends cards of any store. 200: every card accepted; 422: at least one rejected (the results say which; the others are in Kafka). At most ${maxBatch} cards per request.`,
          security: secured,
          body: {oneOf: [{$ref: 'ProductCard#'}, {type: 'array', minItems: 1, maxItems: maxBatch, items: {$ref: 'ProductCard#'}}]},
          response: {200: json('SendResult', 'Every card was accepted.'), 422: json('SendResult', 'At least one card was rejected.'), ...problems},
        },
        // The cards are checked one by one by the card session, so that one bad card does not refuse the batch and each gets its DLQ record.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        const key = request.apiKey!
        // Fastify leaves the body out of a request that has none.
        const outcome = await backends.sendCards(request.body ?? Buffer.alloc(0), {
          maxCards: maxBatch,
          ...(key.store ? {store: key.store} : {}),
          ...(key.role === 'shop' ? {onlyStore: key.store ?? ''} : {}),
          source: `gateway:${key.name}`,
        })
        if ('refused' in outcome) {
          const refused = outcome.refused
          if (refused.code === 'foreignStore') {
            const foreign = refused.cards
            return reply
              .status(403)
              .type('application/problem+json')
              .send(
                problem(
                  403,
                  'denied',
                  `The key ${key.name} sends cards of store ${key.store} only; ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ` and ${foreign.length - 5} more` : ''} belong to another store.`,
                  {
                    suggestion: 'Nothing of this request was sent. Drop store_id (it is filled in) or use that store’s key.',
                    instance: request.url,
                  },
                ),
              )
          }
          throw refusalError(refused)
        }
        const results = outcome.results
        const rejected = results.filter((r) => r.status === 'rejected').length
        return reply.status(rejected > 0 ? 422 : 200).send({accepted: results.length - rejected, rejected, results})
      },
    )
  })

  app.get<{Params: {id: string}}>(
    '/v1/products/:id',
    {
      config: {roles: READERS},
      schema: {
        tags: ['shop'],
        summary: 'The latest accepted version of a product and whether it is banned',
        security: secured,
        params: idParam('id', 'The product id.'),
        response: {200: json('ProductLookup', 'The product as the catalogue has it now.'), ...problems},
      },
    },
    async (request, reply) => {
      if (notReady(backends, reply)) return reply
      const found = backends.product(request.params.id)
      if (!found) throw new MktError(`No product ${request.params.id} has been accepted.`, 'Send it with POST /v1/products.', 'notFound')
      return found
    },
  )

  app.get<{
    Querystring: {
      q: string
      limit?: number
      category?: string
      brand?: string
      min_price?: number
      max_price?: number
      in_stock?: boolean
      sort?: string
      user?: string
    }
  }>(
    '/v1/search',
    {
      config: {roles: READERS},
      schema: {
        tags: ['client'],
        summary: 'Search the live catalogue (Russian morphology, typos, SKUs)',
        description: 'The same parameters and answers as `mkt search`; each search is recorded in client-searches.',
        security: secured,
        querystring: SEARCH_QUERY,
        response: {200: json('SearchResult', 'Matching products, best first.'), ...problems},
      },
    },
    async (request, reply) => {
      if (notReady(backends, reply)) return reply
      const q = request.query
      const answer = backends.search(
        {
          text: q.q,
          ...(q.limit !== undefined ? {limit: q.limit} : {}),
          ...(q.category ? {category: q.category} : {}),
          ...(q.brand ? {brand: q.brand} : {}),
          ...(q.min_price !== undefined ? {minPrice: q.min_price} : {}),
          ...(q.max_price !== undefined ? {maxPrice: q.max_price} : {}),
          ...(q.in_stock ? {inStock: true} : {}),
          ...(q.sort ? {sort: q.sort} : {}),
        },
        q.user,
      )
      return {total: answer.total, mode: answer.mode, tookMs: answer.tookMs, hits: answer.hits, ...(answer.notice ? {notice: answer.notice} : {})}
    },
  )

  app.post<{Body: {user_id: string; product_id: string}}>(
    '/v1/views',
    {
      config: {roles: ['storefront', 'admin']},
      schema: {
        tags: ['client'],
        summary: 'Record that a user viewed a product',
        security: secured,
        body: VIEW,
        response: {201: json('ViewEvent', 'Recorded in client-views (acknowledged by Kafka).'), ...problems},
      },
    },
    async (request, reply) => reply.status(201).send(await backends.recordView(request.body.user_id, request.body.product_id)),
  )

  app.post<{Body: {user_id: string; category?: string; max_price?: number; limit?: number}; Querystring: {wait?: string}}>(
    '/v1/recommendations',
    {
      config: {roles: ['storefront', 'admin']},
      schema: {
        tags: ['client'],
        summary: 'Ask for personalised recommendations',
        description:
          'Sends a request to client-recommendations (request/reply over Kafka). With ?wait=5s the answer comes in this response when the recommender replies in time (200); otherwise 202 with the request id, and GET /v1/recommendations/{request_id} fetches it later.',
        security: secured,
        querystring: {
          type: 'object',
          properties: {wait: {type: 'string', pattern: '^\\d+(\\.\\d+)?(ms|s)?$', description: 'How long to wait for the reply: 5s, 500ms (at most 30s).'}},
        },
        body: RECOMMEND_INPUT,
        response: {200: json('Recommendation', 'Answered.'), 202: json('Recommendation', 'Sent; not answered yet.'), ...problems},
      },
    },
    async (request, reply) => {
      const waitMs = parseWait(request.query.wait)
      const b = request.body
      const {request: sent, reply: answer} = await backends.recommend(
        {
          userId: b.user_id,
          ...(b.category ? {category: b.category} : {}),
          ...(b.max_price !== undefined ? {maxPrice: b.max_price} : {}),
          ...(b.limit !== undefined ? {limit: b.limit} : {}),
        },
        waitMs,
      )
      if (answer) return {request_id: sent.request_id, status: 'answered', request: sent, reply: answer}
      reply.header('Location', `/v1/recommendations/${sent.request_id}`)
      return reply.status(202).send({request_id: sent.request_id, status: 'pending', request: sent})
    },
  )

  app.get<{Params: {request_id: string}}>(
    '/v1/recommendations/:request_id',
    {
      config: {roles: ['storefront', 'admin']},
      schema: {
        tags: ['client'],
        summary: 'The reply to a recommendation request sent through this gateway',
        security: secured,
        params: {type: 'object', required: ['request_id'], properties: {request_id: {type: 'string', format: 'uuid'}}},
        response: {200: json('Recommendation', 'Answered, or still pending.'), ...problems},
      },
    },
    async (request) => {
      const id = request.params.request_id
      const known = backends.recommendation(id)
      if (!known) throw new MktError(`No recommendation request ${id} was sent through this gateway.`, 'Ask with POST /v1/recommendations.', 'notFound')
      return known.status === 'answered'
        ? {request_id: id, status: 'answered', reply: known.reply}
        : {request_id: id, status: 'pending', request: known.request}
    },
  )

  for (const kind of ['product', 'sku'] as const) {
    const param = kind === 'product' ? 'id' : 'sku'
    const path = `/v1/bans/${kind}/:${param}`
    const params = idParam(param, kind === 'product' ? 'The product id.' : 'The SKU.')
    app.put<{Params: Record<string, string>; Body: {reason: string}}>(
      path,
      {
        config: {roles: ['admin']},
        schema: {
          tags: ['admin'],
          summary: `Ban a ${kind === 'product' ? 'product' : 'SKU'} (or change the reason of its ban)`,
          description: 'Written to banned-products; the filter drops the cards it names from then on.',
          security: secured,
          params,
          body: BAN_INPUT,
          response: {200: json('Ban', 'Banned.'), ...problems},
        },
      },
      async (request) => {
        const result = await backends.ban(kind, request.params[param]!, request.body.reason, `gateway:${request.apiKey!.name}`)
        return {...result.ban, updated: result.updated}
      },
    )
    app.delete<{Params: Record<string, string>}>(
      path,
      {
        config: {roles: ['admin']},
        schema: {
          tags: ['admin'],
          summary: `Lift the ban of a ${kind === 'product' ? 'product' : 'SKU'}`,
          security: secured,
          params,
          response: {200: json('Ban', 'The ban that was lifted.'), ...problems},
        },
      },
      async (request) => backends.unban(kind, request.params[param]!),
    )
  }

  app.get(
    '/v1/bans',
    {
      config: {roles: ['admin']},
      schema: {tags: ['admin'], summary: 'The ban list, newest first', security: secured, response: {200: json('BanList', 'Every ban in force.'), ...problems}},
    },
    async () => ({bans: await backends.bans()}),
  )

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and readiness',
        response: {
          200: {description: 'Ready: the catalogue is caught up.', content: {'application/json': {schema: {type: 'object', additionalProperties: true}}}},
          503: {description: 'Not ready yet.', content: {'application/json': {schema: {type: 'object', additionalProperties: true}}}},
        },
      },
    },
    async (_request, reply) => {
      const health = backends.health()
      return reply.status(health.ok ? 200 : 503).send(health)
    },
  )

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        response: {200: {description: 'Prometheus text format.', content: {'text/plain': {schema: {type: 'string'}}}}},
      },
    },
    async (_request, reply) => reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics()),
  )

  app.get(
    '/openapi.json',
    {
      schema: {
        tags: ['operations'],
        summary: 'This OpenAPI 3.1 document',
        response: {200: {description: 'The contract.', content: {'application/json': {schema: {type: 'object', additionalProperties: true}}}}},
      },
    },
    async () => app.swagger(),
  )
}
