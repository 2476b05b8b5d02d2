import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'
import {Counter, Histogram, Registry, collectDefaultMetrics} from 'prom-client'

import type {GatewayBackends} from './backends.js'
import type {KeyInfo, KeyRing, KeyRole} from './keys.js'
import {problem, problemFromError, PROBLEM_SCHEMA, type Problem} from './problem.js'
import {registerRoutes} from './routes.js'
import {SHARED_SCHEMAS} from './schemas.js'
import {gatewayValidators} from './validators.js'

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: KeyInfo
  }
  interface FastifyContextConfig {
    /** Who may call the route; absent: anyone, without a key (health, metrics, the contract, the docs). */
    roles?: readonly KeyRole[]
  }
}

export interface GatewayOptions {
  backends: GatewayBackends
  keys: KeyRing
  /** Requests per key per minute; past it, 429 with Retry-After. */
  rateLimit?: number
  /** The largest batch of cards one POST /v1/products may carry. */
  maxBatch?: number
  https?: {key: string; cert: string}
  version?: string
}

export interface GatewayMetrics {
  registry: Registry
  requests: Counter<'method' | 'route' | 'status'>
  latency: Histogram<'method' | 'route'>
}

/** The gateway's counters, in the registry of its index (which has the process metrics and the worker label) when there is one. */
function gatewayMetrics(shared?: Registry): GatewayMetrics {
  const registry = shared ?? new Registry()
  if (!shared) collectDefaultMetrics({register: registry})
  return {
    registry,
    requests: new Counter({
      name: 'mkt_gateway_requests_total',
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'mkt_gateway_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route.',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  }
}

/** The key a request presents: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key']
  if (typeof header === 'string' && header) return header
  const auth = request.headers.authorization
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined
}

const sendProblem = (reply: FastifyReply, body: Problem) => reply.status(body.status).type('application/problem+json').send(body)

/**
 * The Shop, Client and Admin APIs on Fastify: route schemas validate the
 * input and make the OpenAPI 3.1 document (/openapi.json, /docs); every
 * error is RFC 9457 problem details; an API key picks the role and the
 * Kafka principal; each key has its own rate limit.
 */
export async function buildGateway(options: GatewayOptions): Promise<{app: FastifyInstance; metrics: GatewayMetrics}> {
  const metrics = gatewayMetrics(options.backends.registry)
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024 * 1024,
    // Past the router's limit (100) Fastify answers 414 itself, as plain JSON; below it the schema refuses a long id with a problem (Schemathesis found it).
    routerOptions: {maxParamLength: 4096},
    ...(options.https ? {https: options.https} : {}),
  })
  for (const schema of [PROBLEM_SCHEMA, ...SHARED_SCHEMAS]) app.addSchema(schema)
  app.setValidatorCompiler(gatewayValidators([PROBLEM_SCHEMA, ...SHARED_SCHEMAS]))

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mkt gateway',
        version: options.version ?? '0.0.0',
        description:
          'The Shop API (product cards), the Client API (search, views, recommendations) and the Admin API (bans) of the mkt marketplace platform, over Kafka. Every error is RFC 9457 problem details.',
      },
      components: {securitySchemes: {apiKey: {type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A key from `mkt gateway keys create`.'}}},
      tags: [
        {name: 'shop', description: "Shops' back offices: send product cards."},
        {name: 'client', description: 'Storefronts: search, views, recommendations.'},
        {name: 'admin', description: 'Moderators: the ban list.'},
        {name: 'operations', description: 'Health, metrics and this contract.'},
      ],
    },
    // Components are named by the schemas' $id (ProductCard, Problem, ...), not def-0, def-1.
    refResolver: {buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`)},
  })
  await app.register(swaggerUi, {routePrefix: '/docs', uiConfig: {docExpansion: 'list', deepLinking: true}})

  // Authentication first (onRequest), then the limit per key (preHandler): a request without a key never spends anyone's budget.
  app.addHook('onRequest', async (request, reply) => {
    const roles = request.routeOptions.config.roles
    if (!roles) return
    const text = presentedKey(request)
    const key = text ? options.keys.check(text) : undefined
    if (!key) {
      reply.header('WWW-Authenticate', 'ApiKey header="X-API-Key"')
      return sendProblem(
        reply,
        problem(401, 'authentication', text ? 'The API key is not valid or has been revoked.' : 'This call needs an API key.', {
          suggestion: 'Send a key from `mkt gateway keys create` in the X-API-Key header.',
          instance: request.url,
        }),
      )
    }
    request.apiKey = key
    if (!roles.includes(key.role))
      return sendProblem(
        reply,
        problem(403, 'denied', `A ${key.role} key (${key.name}) may not call ${request.method} ${request.routeOptions.url}.`, {
          suggestion: `This call is for ${roles.map((r) => `${r} keys`).join(' and ')}.`,
          instance: request.url,
        }),
      )
  })
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: options.rateLimit ?? 600,
    timeWindow: 60_000,
    keyGenerator: (request) => request.apiKey?.id ?? request.ip,
    // Only keyed routes are limited: probes and scrapes are not.
    allowList: (request) => !request.routeOptions.config.roles,
    errorResponseBuilder: (request, context) => ({
      ...problem(429, 'rateLimited', `This key made more than ${context.max} requests in ${context.after}.`, {
        suggestion: `Wait ${Math.ceil(context.ttl / 1000)} s (Retry-After), or ask for a higher --rate-limit.`,
        instance: request.url,
      }),
      statusCode: 429,
    }),
  })

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.requests.inc({method: request.method, route, status: String(reply.statusCode)})
    metrics.latency.observe({method: request.method, route}, reply.elapsedTime / 1000)
  })
  app.setErrorHandler(async (error, request, reply) => {
    const body =
      (error as {type?: unknown}).type && (error as {status?: unknown}).status
        ? stripStatusCode(error as unknown as Problem)
        : problemFromError(error, request.url)
    if (body.status >= 500) request.log.error(error)
    return sendProblem(reply, body)
  })
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(
      reply,
      problem(404, 'notFound', `There is no ${request.method} ${request.url.split('?')[0]}.`, {
        suggestion: 'See /openapi.json or /docs for the calls there are.',
      }),
    ),
  )

  registerRoutes(app, {backends: options.backends, maxBatch: options.maxBatch, metrics})
  await app.ready()
  return {app, metrics}
}

function stripStatusCode(error: Problem & {statusCode?: number}): Problem {
  const {statusCode: _code, ...rest} = error
  return rest
}
