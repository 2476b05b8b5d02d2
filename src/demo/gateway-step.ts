import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {ProductCard} from '../catalog/card.js'
import {createKey, startGateway} from '../gateway/index.js'
import {workerLogger} from '../log-structured.js'
import {packageRoot} from '../package-root.js'
import type {DemoStep} from './demo.js'

export interface GatewayCall {
  api: 'Shop' | 'Client' | 'Admin'
  /** The call as a user types it; $SHOP_KEY and friends stand for keys from `mkt gateway keys create`. */
  curl: string
  status: number
  result: string
}

/** Step: `mkt gateway start`, and one call of each API as curl would make it. */
export const gatewayStep: DemoStep = {
  id: 'gateway',
  title: 'Shops and storefronts call the platform over HTTP',
  async run(ctx): Promise<{url: string; calls: GatewayCall[]}> {
    const card = (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'data', 'products.json'), 'utf8')) as ProductCard[])[0]!
    // Keys of this run only, in a file deleted afterwards: the demo leaves no key that works behind it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-demo-gateway-'))
    const keysFile = path.join(dir, 'keys.json')
    const keys = {
      shop: createKey(keysFile, {name: 'demo-shop', role: 'shop', store: card.store_id}).key,
      storefront: createKey(keysFile, {name: 'demo-storefront', role: 'storefront'}).key,
      admin: createKey(keysFile, {name: 'demo-admin', role: 'admin'}).key,
    }
    ctx.onProgress({type: 'start', id: 'gateway', label: 'mkt gateway start (its own index of the catalogue)'})
    const gateway = await startGateway({
      profiles: {gateway: ctx.as('gateway'), shop: ctx.as('shop'), client: ctx.as('client'), admin: ctx.profile},
      keysFile,
      port: 0,
      logger: workerLogger('mkt-demo-gateway').child({}, {level: 'warn'}),
    })
    try {
      await gateway.backends.ready
      ctx.onProgress({type: 'done', id: 'gateway', detail: gateway.url})
      const call = async (
        api: GatewayCall['api'],
        keyName: string,
        key: string,
        method: string,
        url: string,
        body?: unknown,
      ): Promise<GatewayCall & {json: unknown}> => {
        const response = await fetch(`${gateway.url}${url}`, {
          method,
          headers: {'x-api-key': key, ...(body ? {'content-type': 'application/json'} : {})},
          ...(body ? {body: JSON.stringify(body)} : {}),
        })
        const json = (await response.json()) as unknown
        const data = body ? ` -H 'Content-Type: application/json' -d '${JSON.stringify(body).slice(0, 40)}…'` : ''
        return {api, curl: `curl -H "X-API-Key: $${keyName}"${data} '${gateway.url}${url}'`, status: response.status, result: '', json}
      }
      const sent = await call('Shop', 'SHOP_KEY', keys.shop, 'POST', '/v1/products', {...card, stock: {...card.stock, available: card.stock.available + 1}})
      sent.result = `${(sent.json as {accepted: number}).accepted} accepted`
      const search = await call('Client', 'STOREFRONT_KEY', keys.storefront, 'GET', `/v1/search?q=${encodeURIComponent('умные часы')}&limit=3`)
      const hits = (search.json as {hits?: Array<{product_id: string}>}).hits ?? []
      search.result = `${hits.length} hits: ${hits.map((h) => h.product_id).join(', ')}`
      const bans = await call('Admin', 'ADMIN_KEY', keys.admin, 'GET', '/v1/bans')
      bans.result = `${(bans.json as {bans?: unknown[]}).bans?.length ?? 0} bans`
      const calls = [sent, search, bans].map(({json: _json, ...c}) => c)
      ctx.show({
        title: `mkt gateway start → ${gateway.url} (contract at /openapi.json, docs at /docs)`,
        lines: ['Keys: mkt gateway keys create --name NAME --role shop|storefront|admin [--store ID]; every error is RFC 9457 problem details.'],
        table: {head: ['API', 'call', 'status', 'result'], rows: calls.map((c) => [c.api, c.curl, c.status, c.result])},
      })
      return {url: gateway.url, calls}
    } finally {
      await gateway.stop()
      fs.rmSync(dir, {recursive: true, force: true})
    }
  },
}
