import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'

import type {Registry} from 'prom-client'

import {MktError} from '../errors.js'
import {registerWorkerTarget, type WorkerTarget} from './targets.js'

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
export type Route = (url: URL, response: http.ServerResponse) => void | Promise<void>

export async function startMetricsServer(options: {
  port: number
  host?: string
  registry: Registry
  health: () => Health
  routes?: Record<string, Route>
  portFlag?: string
  /** Registers the server with the local runtime's Prometheus while it runs. */
  target?: WorkerTarget
}): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const url = request.url?.split('?')[0]
    const route = url === undefined ? undefined : options.routes?.[url]
    if (route) {
      Promise.resolve(route(new URL(request.url!, 'http://localhost'), response)).catch((error: Error) => {
        if (!response.headersSent) response.writeHead(500, {'Content-Type': 'application/json'})
        response.end(JSON.stringify({error: {message: error.message}}))
      })
      return
    }
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
    response.end(`not found: try ${[...Object.keys(options.routes ?? {}), '/metrics', '/healthz'].join(', ')}\n`)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new MktError(
              `Port ${options.port} for /metrics is already in use.`,
              `Pass another ${options.portFlag ?? '--metrics-port'} (0 picks a free one).`,
              'infra',
            )
          : error,
      ),
    )
    server.listen(options.port, options.host ?? listenHost(), () => resolve())
  })
  const {address, port} = server.address() as AddressInfo
  const unregister = options.target ? registerWorkerTarget(options.target, reachableHost(address), port) : () => {}
  return {
    port,
    close: () => {
      unregister()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // The worker has stopped: a scrape still in flight (or a keep-alive socket Prometheus holds)
      // must not keep close() — and so the process — waiting (CI: a filter logged "stopped" and never exited).
      server.closeAllConnections()
      return closed
    },
  }
}

/** Where workers listen: loopback, unless MKT_LISTEN_HOST says otherwise (0.0.0.0 in the compose deployment's containers). */
export function listenHost(env = process.env): string {
  return env.MKT_LISTEN_HOST || '127.0.0.1'
}

/** The address Prometheus scrapes a server bound to `address` at: one bound to every interface (in a container) by the host's name. */
export function reachableHost(address: string): string {
  return address === '0.0.0.0' || address === '::' ? os.hostname() : address
}
