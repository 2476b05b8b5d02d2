import net from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'

import {MktError} from '../errors.js'
import type {ServiceNode} from './graph.js'

export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen({host, port, exclusive: true}, () => server.close(() => resolve(true)))
  })
}

/** Fails on the first port something else holds, naming it and the flag that moves it. */
export async function assertPortsFree(host: string, nodes: ServiceNode[]): Promise<void> {
  for (const node of nodes) {
    for (const [role, port] of Object.entries(node.ports)) {
      if (!(await portFree(host, port))) {
        throw new MktError(
          `Port ${port} (${node.name} ${role}) on ${host} is already in use by another program.`,
          `Stop what holds it (\`ss -ltnp 'sport = :${port}'\` shows it), or start on other ports with ${node.portFlag}.`,
          'infra',
        )
      }
    }
  }
}

/**
 * Waits (up to timeoutMs) until the nodes' ports are free. A process killed a
 * moment ago looks gone before it is: the kernel drops its memory (and with
 * it the command line we recognise it by) before it closes its sockets, and
 * a JVM with a large heap takes a while to drop.
 */
export async function waitForPortsFree(host: string, nodes: ServiceNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const ports = nodes.flatMap((n) => Object.values(n.ports))
  while (Date.now() < deadline) {
    const taken = await Promise.all(ports.map((p) => portFree(host, p).then((free) => !free)))
    if (!taken.some(Boolean)) return
    await sleep(100)
  }
}
