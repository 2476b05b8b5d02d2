import http from 'node:http'
import type {AddressInfo} from 'node:net'

import type {Registry} from 'prom-client'

import {MktError} from '../errors.js'

export interface Health {
  ok: boolean
  [detail: string]: unknown
}

export interface MetricsServer {
  port: number
  close: () => Promise<void>
}

/**
 * /metrics (Prometheus text format) and /healthz (200 when healthy, 503 with
 * the reason otherwise) for a long-running worker.
 */
export async function startMetricsServer(options: {port: number; host?: string; registry: Registry; health: () => Health}): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const url = request.url?.split('?')[0]
    if (url === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          response.writeHead(200, {'Content-Type': options.registry.contentType})
          response.end(text)
        },
        (error: Error) => {
          response.writeHead(500)
          response.end(error.message)
        },
      )
      return
    }
    if (url === '/healthz') {
      const health = options.health()
      response.writeHead(health.ok ? 200 : 503, {'Content-Type': 'application/json'})
      response.end(JSON.stringify(health))
      return
    }
    response.writeHead(404, {'Content-Type': 'text/plain'})
    response.end('not found: try /metrics or /healthz\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new MktError(`Port ${options.port} for /metrics is already in use.`, 'Pass another --metrics-port (0 picks a free one).', 'infra')
          : error,
      ),
    )
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
