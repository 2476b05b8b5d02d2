import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {buildGateway, createKey, KeyRing, listKeys, parseWait, revokeKey, type GatewayBackends} from '../../src/gateway/index.js'
import {bundledSchema} from '../../src/schema/avro.js'
import {encodeBatch, type EncodedBatch} from '../../src/shop/card-batch.js'
import type {BatchSendOptions} from '../../src/shop/index.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-gw-unit-'))
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))

describe('gateway API keys', () => {
  it('shows a key once, stores only its hash in a 0600 file, and refuses it once revoked', () => {
    const file = path.join(dir, 'keys-a.json')
    const {key, info} = createKey(file, {name: 'store-1', role: 'shop', store: 'store-1'})
    expect(key).toMatch(/^mkt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
    expect(info).toMatchObject({name: 'store-1', role: 'shop', store: 'store-1', principal: 'shop', active: true})
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(file, 'utf8')).not.toContain(key.split('_')[2])
    const ring = new KeyRing(file)
    expect(ring.check(key)).toMatchObject({id: info.id, role: 'shop'})
    expect(ring.check(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined()
    expect(ring.check('not a key')).toBeUndefined()
    revokeKey(file, 'store-1')
    expect(ring.check(key)).toBeUndefined() // the running gateway sees the file change
    expect(listKeys(file)).toMatchObject([{name: 'store-1', active: false}])
  })

  it('names what is wrong with a key request', () => {
    const file = path.join(dir, 'keys-b.json')
    expect(() => createKey(file, {name: 'x', role: 'owner'})).toThrow(/--role must be one of shop, storefront, admin, got "owner"/)
    expect(() => createKey(file, {name: 'x', role: 'shop'})).toThrow(/A shop key needs --store/)
    expect(() => createKey(file, {name: 'x', role: 'admin', store: 's'})).toThrow(/--store is for shop keys only/)
    expect(() => createKey(file, {name: 'has space', role: 'admin'})).toThrow(/The key name "has space" is not valid/)
    createKey(file, {name: 'web', role: 'storefront'})
    expect(() => createKey(file, {name: 'web', role: 'storefront'})).toThrow(/already is an active key named "web"/)
    expect(() => revokeKey(file, 'nobody')).toThrow(
      expect.objectContaining({message: 'No active gateway key is named "nobody".', suggestion: 'Active keys: web.', code: 'notFound'}),
    )
    fs.writeFileSync(path.join(dir, 'broken.json'), '{')
    expect(() => listKeys(path.join(dir, 'broken.json'))).toThrow(/cannot be read/)
  })
})

describe('parseWait', () => {
  it('reads 5s, 500ms and 5, and refuses the rest', () => {
    expect([parseWait(undefined), parseWait('5s'), parseWait('500ms'), parseWait('2'), parseWait('1.5s')]).toEqual([0, 5000, 500, 2000, 1500])
    expect(() => parseWait('soon')).toThrow(/wait must be a duration such as 5s or 500ms, got "soon"/)
    expect(() => parseWait('31s')).toThrow(/at most 30s/)
  })
})

describe('the gateway over HTTP (Fastify inject; the platform behind it is a stand-in, the Kafka paths are in test/integration/gateway.test.ts)', async () => {
  const file = path.join(dir, 'keys-http.json')
  const shop = createKey(file, {name: 'shop', role: 'shop', store: 'store-1'}).key
  const web = createKey(file, {name: 'web', role: 'storefront'}).key
  // The card session's own parsing and checks, without Kafka: what it would produce is kept.
  const sent: EncodedBatch[] = []
  const encoding = {cardSchemaId: 1, cardType: bundledSchema('product-card.avsc').type, partitions: 3}
  const backends = {
    sendCards: async (body: Uint8Array, options: BatchSendOptions) => {
      const batch = encodeBatch(body, {maxCards: Number.POSITIVE_INFINITY, ...options}, encoding)
      if (batch.refused) return {refused: batch.refused}
      sent.push(batch)
      return {results: batch.results}
    },
    search: () => ({total: 0, mode: 'none' as const, tookMs: 0.1, hits: [], query: {text: 'x', limit: 10, sort: 'relevance' as const}}),
    health: () => ({ok: true, search: {ok: true, caughtUp: true, products: 0, visible: 0, bans: 0}}),
  } as unknown as GatewayBackends
  const {app} = await buildGateway({backends, keys: new KeyRing(file), rateLimit: 5, maxBatch: 2})
  afterAll(() => app.close())
  const call = (method: 'GET' | 'POST', url: string, key?: string, payload?: unknown) =>
    app.inject({method, url, headers: key ? {'x-api-key': key} : {}, ...(payload !== undefined ? {payload: payload as object} : {})})

  it('answers every error as RFC 9457 problem details naming what is wrong', async () => {
    const missing = await call('GET', '/v1/search?q=x')
    expect(missing.statusCode).toBe(401)
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(missing.headers['www-authenticate']).toMatch(/ApiKey/)
    expect(missing.json()).toMatchObject({type: 'urn:mkt:problem:authentication', title: 'Unauthorized', status: 401, detail: 'This call needs an API key.'})
    const forbidden = await call('POST', '/v1/products', web, {product_id: 'p'})
    expect(forbidden.json()).toMatchObject({status: 403, detail: 'A storefront key (web) may not call POST /v1/products.'})
    const invalid = await call('GET', '/v1/search?q=x&limit=1000', web)
    expect(invalid.json()).toMatchObject({status: 400, code: 'usage', detail: 'querystring/limit must be <= 100'})
    const long = await call('GET', `/v1/products/${'x'.repeat(300)}`, web) // past Fastify's own 100-character limit for a path parameter
    expect(long.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(long.json()).toMatchObject({status: 400, detail: 'params/id must NOT have more than 64 characters'})
    const unknown = await call('GET', '/v2/nothing')
    expect(unknown.json()).toMatchObject({status: 404, detail: 'There is no GET /v2/nothing.'})
  })

  it("refuses a batch over the limit or with another store's card before sending any, and fills a missing store_id", async () => {
    expect((await call('POST', '/v1/products', shop, [{}, {}, {}])).json()).toMatchObject({status: 400, detail: 'A batch may hold at most 2 cards, got 3.'})
    expect((await call('POST', '/v1/products', shop, [])).json()).toMatchObject({
      status: 400,
      detail: 'The body must be one card (a JSON object) or a non-empty array of cards.',
    })
    const notJson = await app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: {'x-api-key': shop, 'content-type': 'application/json'},
      payload: '[{"product_id":',
    })
    expect(notJson.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(notJson.json()).toMatchObject({status: 400, code: 'usage', detail: expect.stringMatching(/^The body is not valid JSON: /)})
    const foreign = await call('POST', '/v1/products', shop, [
      {product_id: 'a', store_id: 'store-1'},
      {product_id: 'b', store_id: 'store-2'},
    ])
    expect(foreign.json()).toMatchObject({status: 403, detail: 'The key shop sends cards of store store-1 only; #1 (store-2) belong to another store.'})
    expect(sent).toEqual([])
    const one = await call('POST', '/v1/products', shop, {product_id: 'a'})
    expect(one.statusCode).toBe(422)
    expect(one.json()).toMatchObject({accepted: 0, rejected: 1, results: [{index: 0, product_id: 'a', status: 'rejected'}]})
    expect(sent.map((b) => b.rejects.map((r) => JSON.parse(r.text) as unknown))).toEqual([[{product_id: 'a', store_id: 'store-1'}]])
  })

  it('limits each key per minute with 429 and Retry-After', async () => {
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push((await call('GET', '/v1/search?q=x', web)).statusCode)
    const last = await call('GET', '/v1/search?q=x', web)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]) // the 403 and the 400 above, refused before the limit, spent nothing
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0)
    expect(last.json()).toMatchObject({status: 429, type: 'urn:mkt:problem:rateLimited'})
    expect((await call('GET', '/healthz')).statusCode).toBe(200) // probes are not limited
  })
})
