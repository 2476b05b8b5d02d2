import net from 'node:net'

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
