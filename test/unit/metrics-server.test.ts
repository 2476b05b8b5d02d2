import http from 'node:http'

import {Registry} from 'prom-client'
import {describe, expect, it} from 'vitest'

import {startMetricsServer} from '../../src/metrics/server.js'

describe('a worker metrics server', () => {
  it('closes at once, even while a scrape is in flight on a kept-alive connection', async () => {
    let answered = false
    const server = await startMetricsServer({
      port: 0,
      registry: new Registry(),
      health: () => ({ok: true}),
      // A scrape that takes 3 s: what a slow collect looks like from outside.
      routes: {'/slow': (_, response) => void setTimeout(() => ((answered = true), response.end('late')), 3000)},
    })
    const agent = new http.Agent({keepAlive: true})
    const request = new Promise<void>((resolve) => {
      http.get({port: server.port, host: '127.0.0.1', path: '/slow', agent}, (res) => res.resume().on('end', resolve)).on('error', () => resolve())
    })
    await new Promise((r) => setTimeout(r, 200))
    const started = Date.now()
    await server.close()
    expect(Date.now() - started, 'close() waited for the scrape').toBeLessThan(1000)
    await request
    expect(answered).toBe(false)
    agent.destroy()
  })
})
