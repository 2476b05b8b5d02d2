import {portFree} from '../../src/infra/ports.js'

/**
 * A base port whose next `span` ports are all free on loopback, so tests never
 * collide with a user's runtime. Below Linux's ephemeral range (32768+): there
 * a client socket can take a killed broker's port before it restarts.
 */
export async function freePortBase(span: number, from = 20_000, to = 32_000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + 2 * Math.floor((Math.random() * (to - from)) / 2)
    let free = true
    for (let p = base; p < base + span && free; p++) free = await portFree('127.0.0.1', p)
    if (free) return base
  }
  throw new Error('no free port range found')
}
