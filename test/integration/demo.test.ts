import {describe, expect, inject, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: undefined, MKT_BROKERS: undefined, MKT_STATE_DIR: undefined}

describe('mkt demo', () => {
  it(
    'reuses the running runtime and walks through ingest, bans, filter, search, simulated clients, Spark and a recommendation',
    {timeout: 300_000},
    async () => {
      const result = await runCli(['demo', '--json'], env, 280_000)
      expect(result.code, result.stderr).toBe(0)
      const demo = result.json<{
        sections: Array<{title: string; lines: string[]; table?: {rows: unknown[][]}}>
        seconds: Record<string, number>
        kept: boolean
        steps: {
          ingest: {stats: {sent: number; rejected: number}; arrived: number}
          security: {secure: boolean; allowed: string; refused: string}
          filter: {passed: number; banned: Array<{product_id: string; decision: string}>}
          search: {searches: Array<{query: string; mode: string; ids: string[]}>}
          clients: {events: number; searches: number; views: number; requests: number}
          analytics: {summary: {categories: number; als_users: number}; categories: number}
          recommend: {source: string; items: string[]}
          gateway: {url: string; calls: Array<{api: string; curl: string; status: number; result: string}>}
        }
      }>()
      expect(demo.sections[0]!.title).toMatch(/^The local runtime was already running \(\d+(\.\d)?s\)$/)
      // Each step says how long it took; a runtime that was running before stays running.
      expect(Object.keys(demo.seconds)).toEqual(['runtime', 'ingest', 'security', 'filter', 'search', 'clients', 'analytics', 'recommend', 'gateway'])
      expect(demo.sections.find((s) => s.title.startsWith('Category statistics'))!.title).toMatch(/\(\d+(\.\d)?s\)$/)
      expect(demo.kept).toBe(true)
      expect(demo.sections.at(-1)).toMatchObject({
        title: 'Where to look next',
        lines: expect.arrayContaining([expect.stringMatching(/^The runtime keeps running/)]),
      })
      expect(demo.steps.ingest.stats).toMatchObject({sent: 74, rejected: 0})
      expect(demo.steps.ingest.arrived).toBe(74)
      // Every step runs as its own principal on the secure runtime; one refusal is shown.
      expect(demo.steps.security.secure).toBe(true)
      expect(demo.steps.security.allowed).toContain('client read the ban list')
      expect(demo.steps.security.refused).toMatch(
        /^User "client" \(profile "[^"]+:client"\) is not allowed to write topic "banned-products" \(TOPIC_AUTHORIZATION_FAILED\)\.$/,
      )
      const arrivedTable = demo.sections.find((s) => s.title.startsWith('74 cards arrived'))!.table!
      expect(arrivedTable.rows.length).toBeGreaterThanOrEqual(6)
      expect(demo.steps.filter.banned).toEqual(
        expect.arrayContaining([
          {product_id: '12347', decision: 'BANNED_PRODUCT', reason: expect.any(String)},
          {product_id: '12390', decision: 'BANNED_SKU', reason: expect.any(String)},
        ]),
      )
      expect(demo.steps.filter.passed).toBeGreaterThanOrEqual(72)
      const searched = Object.fromEntries(demo.steps.search.searches.map((s) => [s.query, s]))
      expect(searched['умных часов']!.ids[0]).toBe('12345')
      expect(searched['смартфн']).toMatchObject({mode: 'all-words-fuzzy', ids: ['12346']}) // 12347 is banned by the demo
      expect(searched['XYZ-12345']).toMatchObject({mode: 'sku', ids: ['12345']})
      expect(searched['Redmi Note 13']!.ids).not.toContain('12347')
      expect(demo.steps.clients).toMatchObject({events: 2000})
      expect(demo.steps.clients.searches + demo.steps.clients.views + demo.steps.clients.requests).toBe(2000)
      expect(demo.steps.analytics.categories).toBe(10)
      expect(demo.steps.analytics.summary.als_users).toBeGreaterThan(0)
      expect(demo.steps.recommend.source).toBe('als')
      expect(demo.steps.recommend.items).toHaveLength(5)
      expect(demo.steps.recommend.items).not.toContain('12347') // banned by the demo
      // One curl call of each API through `mkt gateway start`, with the key as a variable, never the key itself.
      expect(demo.steps.gateway.calls.map((c) => [c.api, c.status])).toEqual([
        ['Shop', 200],
        ['Client', 200],
        ['Admin', 200],
      ])
      expect(demo.steps.gateway.calls[0]!.curl).toMatch(/^curl -H "X-API-Key: \$SHOP_KEY" .*\/v1\/products'$/)
      expect(demo.steps.gateway.calls[1]!.result).toMatch(/^\d+ hits: 12345\b/)
      expect(demo.steps.gateway.calls[2]!.result).toMatch(/^\d+ bans$/)
    },
  )
})
