import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import type {ProductCard} from '../../src/catalog/card.js'
import {consumeTopic} from '../../src/consume/index.js'
import {TOPICS} from '../../src/topics/names.js'
import {runCli} from '../helpers/cli.js'
import {startCli, type Running} from '../helpers/spawn.js'

const profile = inject('profile')
// The base profile: the gateway runs as it:gateway and acts as it:shop, it:client and it:admin for its keys.
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: profile.name, MKT_BROKERS: undefined, NO_COLOR: '1'}
const sample = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../data/products.json'), 'utf8')) as ProductCard[]
const run = `gw${Date.now().toString(36)}`
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-gw-'))
const keysFile = path.join(dir, 'keys.json')

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

async function createKey(name: string, role: string, store?: string): Promise<string> {
  const file = path.join(dir, `${name}.key`)
  const created = await runCli(
    ['gateway', 'keys', 'create', '--name', name, '--role', role, ...(store ? ['--store', store] : []), '--keys-file', keysFile, '--output-file', file],
    env,
  )
  expect(created.code, created.stderr).toBe(0)
  return fs.readFileSync(file, 'utf8').trim()
}

/** Records of a topic whose value matches, read to its end. */
async function recordsWhere<T>(topic: string, match: (value: T) => boolean): Promise<T[]> {
  const found: T[] = []
  await consumeTopic(profile, topic, {onRecord: (r) => r.value && match(r.value as T) && found.push(r.value as T)})
  return found
}

describe('mkt gateway start (HTTP on the real cluster)', () => {
  const workers: Running[] = []
  let base = ''
  const keys: Record<'shop' | 'other' | 'web' | 'admin' | 'limited', string> = {shop: '', other: '', web: '', admin: '', limited: ''}
  const call = (method: string, url: string, key: string | undefined, body?: unknown) =>
    fetch(`${base}${url}`, {
      method,
      headers: {...(key ? {'x-api-key': key} : {}), ...(body !== undefined ? {'content-type': 'application/json'} : {})},
      ...(body !== undefined ? {body: JSON.stringify(body)} : {}),
    })

  beforeAll(async () => {
    keys.shop = await createKey(`${run}-shop`, 'shop', `${run}-store`)
    keys.other = await createKey(`${run}-other`, 'shop', `${run}-elsewhere`)
    keys.web = await createKey(`${run}-web`, 'storefront')
    keys.admin = await createKey(`${run}-admin`, 'admin')
    keys.limited = await createKey(`${run}-limited`, 'storefront')
    // The filter takes cards from shop-products to filtered-products, which the gateway indexes; the recommender answers.
    const filter = startCli(['filter', 'start', '--metrics-port', '0'], env)
    const recommender = startCli(['recommend', 'serve', '--metrics-port', '0'], env)
    const gateway = startCli(['gateway', 'start', '--port', '0', '--keys-file', keysFile, '--rate-limit', '40'], env)
    workers.push(filter, recommender, gateway)
    await Promise.all([
      filter.waitFor(/"msg":"filtering"/, 90_000, 'stderr'),
      recommender.waitFor(/"msg":"answering requests"/, 90_000, 'stderr'),
      gateway.waitFor(/"msg":"serving"/, 90_000, 'stderr'),
    ])
    base = /"url":"(http:\/\/[^"]+)"/.exec(gateway.stderr())![1]!
    await until(async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 60_000, 'the gateway to be ready')
  }, 180_000)

  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGTERM')
    const codes = await Promise.all(workers.map((w) => w.exited))
    expect(codes, workers.map((w) => w.stderr().slice(-1500)).join('\n---\n')).toEqual([0, 0, 0])
    fs.rmSync(dir, {recursive: true, force: true})
  }, 60_000)

  it('answers a batch card by card: the good ones reach the catalogue, the bad ones the DLQ with their reasons', async () => {
    // Texts of their own: these cards stay in the runtime's catalogue, where other files search for the sample's words.
    const good = sample.slice(0, 3).map((c, i) => ({
      ...c,
      product_id: `${run}-p${i}`,
      sku: `${run}-SKU-${i}`,
      name: `Образец шлюза ${run} ${i}`,
      description: 'Карточка из теста шлюза.',
      tags: [],
      store_id: `${run}-store`,
    }))
    const noStore = (({store_id: _s, ...rest}) => ({...rest, product_id: `${run}-p3`, sku: `${run}-SKU-3`}))(good[0]!)
    const negative = {...good[1]!, product_id: `${run}-bad`, price: {amount: -1, currency: 'RUB'}}
    const notACard = 'just text'
    const response = await call('POST', '/v1/products', keys.shop, [...good, noStore, negative, notACard])
    expect(response.status).toBe(422)
    const body = (await response.json()) as {
      accepted: number
      rejected: number
      results: Array<{index: number; status: string; product_id: string | null; errors?: string[]}>
    }
    expect(body).toMatchObject({accepted: 4, rejected: 2})
    expect(body.results.map((r) => [r.index, r.status])).toEqual([
      [0, 'accepted'],
      [1, 'accepted'],
      [2, 'accepted'],
      [3, 'accepted'],
      [4, 'rejected'],
      [5, 'rejected'],
    ])
    expect(body.results[4]).toMatchObject({product_id: `${run}-bad`, errors: ['price.amount: must be >= 0']})
    expect(body.results[5]!.errors![0]).toMatch(/must be a JSON object/)

    const letters = await until(
      async () => {
        const found = await recordsWhere<{source_file: string | null; source_index: number; errors: string[]}>(
          TOPICS.shopProductsDlq,
          (v) => v.source_file === `gateway:${run}-shop`,
        )
        return found.length >= 2 ? found : undefined
      },
      30_000,
      'the DLQ records',
    )
    expect(letters.map((l) => [l.source_index, l.errors[0]]).sort()).toEqual([
      [4, 'price.amount: must be >= 0'],
      [5, body.results[5]!.errors![0]],
    ])

    // The accepted cards pass the filter and are found by the gateway's own index; the one without store_id got the key's store.
    const hits = await until(
      async () => {
        const found = (await (await call('GET', `/v1/search?q=${run}&limit=10`, keys.web)).json()) as {hits: Array<{product_id: string}>}
        return found.hits.length >= 4 ? found.hits : undefined
      },
      60_000,
      'the cards to be searchable',
    )
    expect(hits.map((h) => h.product_id).sort()).toEqual([`${run}-p0`, `${run}-p1`, `${run}-p2`, `${run}-p3`])
    const lookup = await until(
      async () => {
        const r = await call('GET', `/v1/products/${run}-p3`, keys.web)
        return r.status === 200 ? ((await r.json()) as {product: {product_id: string}; banned: boolean}) : undefined
      },
      30_000,
      'the card without store_id',
    )
    expect(lookup).toMatchObject({product: {product_id: `${run}-p3`}, banned: false})
    const stored = await recordsWhere<{product_id: string; store_id: string}>(TOPICS.catalog, (v) => v.product_id === `${run}-p3`)
    expect(stored.map((c) => c.store_id)).toEqual([`${run}-store`])
  })

  it("refuses a shop's cards of another store, and bans from a shop key; an admin key bans and the lookup says so", async () => {
    const card = {...sample[0]!, product_id: `${run}-foreign`, sku: `${run}-F`, store_id: `${run}-store`}
    const foreign = await call('POST', '/v1/products', keys.other, card)
    expect(foreign.status).toBe(403)
    expect(foreign.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await foreign.json()).toMatchObject({status: 403, type: 'urn:mkt:problem:denied', detail: expect.stringContaining(`store ${run}-elsewhere only`)})

    const byShop = await call('PUT', `/v1/bans/product/${run}-p0`, keys.shop, {reason: 'not mine to ban'})
    expect(byShop.status).toBe(403)
    const byStorefront = await call('POST', '/v1/products', keys.web, card)
    expect(byStorefront.status).toBe(403)

    const banned = await call('PUT', `/v1/bans/product/${run}-p0`, keys.admin, {reason: 'counterfeit'})
    expect(banned.status).toBe(200)
    expect(await banned.json()).toMatchObject({key: `product:${run}-p0`, reason: 'counterfeit', banned_by: `gateway:${run}-admin`, updated: false})
    await until(
      async () => (((await (await call('GET', `/v1/products/${run}-p0`, keys.web)).json()) as {banned: boolean}).banned ? true : undefined),
      30_000,
      'the lookup to show the ban',
    )
    const list = (await (await call('GET', '/v1/bans', keys.admin)).json()) as {bans: Array<{key: string}>}
    expect(list.bans.map((b) => b.key)).toContain(`product:${run}-p0`)
    expect((await call('DELETE', `/v1/bans/product/${run}-p0`, keys.admin)).status).toBe(200)
    const again = await call('DELETE', `/v1/bans/product/${run}-p0`, keys.admin)
    expect(again.status).toBe(404)
    expect(await again.json()).toMatchObject({code: 'notBanned'})
    // Nothing of the refused request reached Kafka.
    expect(await recordsWhere<{product_id: string}>(TOPICS.shopProducts, (v) => v.product_id === `${run}-foreign`)).toEqual([])
  })

  it('records views and answers recommendations over Kafka, waiting or fetched later', async () => {
    const view = await call('POST', '/v1/views', keys.web, {user_id: `${run}-u1`, product_id: `${run}-p1`})
    expect(view.status).toBe(201)
    const recorded = await recordsWhere<{user_id: string; source: string}>(TOPICS.views, (v) => v.user_id === `${run}-u1`)
    expect(recorded).toMatchObject([{source: 'gateway'}])

    const waited = await call('POST', '/v1/recommendations?wait=20s', keys.web, {user_id: `${run}-u1`, limit: 5})
    expect(waited.status).toBe(200)
    const answer = (await waited.json()) as {status: string; reply: {request_id: string; user_id: string; items: unknown[]; source: string}}
    expect(answer).toMatchObject({status: 'answered', reply: {user_id: `${run}-u1`}})

    const later = await call('POST', '/v1/recommendations', keys.web, {user_id: `${run}-u2`})
    expect(later.status).toBe(202)
    const pending = (await later.json()) as {request_id: string}
    expect(later.headers.get('location')).toBe(`/v1/recommendations/${pending.request_id}`)
    const fetched = await until(
      async () => {
        const r = (await (await call('GET', `/v1/recommendations/${pending.request_id}`, keys.web)).json()) as {status: string; reply?: {user_id: string}}
        return r.status === 'answered' ? r : undefined
      },
      30_000,
      'the reply',
    )
    expect(fetched.reply!.user_id).toBe(`${run}-u2`)
    const requests = await recordsWhere<{user_id: string}>(TOPICS.recommendationRequests, (v) => v.user_id.startsWith(`${run}-u`))
    expect(requests.map((r) => r.user_id).sort()).toEqual([`${run}-u1`, `${run}-u2`])
  })

  it('refuses a missing, a wrong and a revoked key, and limits each key with 429 and Retry-After', async () => {
    expect((await call('GET', '/v1/search?q=x', undefined)).status).toBe(401)
    expect((await call('GET', '/v1/search?q=x', `${keys.web}x`)).status).toBe(401)
    const revoked = await runCli(['gateway', 'keys', 'revoke', `${run}-other`, '--keys-file', keysFile], env)
    expect(revoked.code, revoked.stderr).toBe(0)
    const refused = await call('GET', '/v1/search?q=x', keys.other)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({detail: 'The API key is not valid or has been revoked.'})

    const statuses: number[] = []
    for (let i = 0; i < 45; i++) statuses.push((await call('GET', '/v1/search?q=x', keys.limited)).status)
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true)
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429, 429])
    const limited = await call('GET', '/v1/search?q=x', keys.limited)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.json()).toMatchObject({status: 429, type: 'urn:mkt:problem:rateLimited'})
    // Another key is not held back by this one.
    expect((await call('GET', '/v1/search?q=x', keys.web)).status).toBe(200)
  })

  it('serves its OpenAPI 3.1 contract, the docs page and metrics by route and status', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string
      paths: Record<string, Record<string, unknown>>
      components: {schemas: Record<string, unknown>}
    }
    expect(doc.openapi).toBe('3.1.0')
    const operations = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`))
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /v1/products',
        'GET /v1/products/{id}',
        'GET /v1/search',
        'POST /v1/views',
        'POST /v1/recommendations',
        'GET /v1/recommendations/{request_id}',
        'PUT /v1/bans/product/{id}',
        'DELETE /v1/bans/sku/{sku}',
        'GET /v1/bans',
      ]),
    )
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ProductCard', 'Problem', 'SendResult']))
    expect((await fetch(`${base}/docs/`)).status).toBe(200)
    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toMatch(/^mkt_gateway_requests_total\{method="POST",route="\/v1\/products",status="422"[^}]*\} 1$/m)
    expect(metrics).toMatch(/^mkt_gateway_requests_total\{method="GET",route="\/v1\/search",status="429"[^}]*\} \d+$/m)
    expect(metrics).toMatch(/^mkt_search_queries_total\{[^}]*mode="all-words"[^}]*\} [1-9]\d*$/m) // its index's metrics, beside its own
    expect(metrics).toMatch(/^mkt_gateway_request_duration_seconds_bucket\{(?=[^}]*route="\/v1\/search")(?=[^}]*le="0.005")[^}]*\} \d+$/m)
  })
})
