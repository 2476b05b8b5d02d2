import {describe, expect, inject, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {startCli} from '../helpers/spawn.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined}
type Line = {key: string; value: {price: {amount: number}; updated_at: string}}
const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line)

describe('long-running commands', () => {
  it('shop send --continuous keeps re-sending with fresh prices and Ctrl-C flushes and prints the summary', async () => {
    const topic = await freshTopic(profile, 'it-live', 1)
    const send = startCli(['shop', 'send', '--generate', '5', '--seed', '3', '--continuous', '--rate', '40', '--topic', topic], env)
    await new Promise((r) => setTimeout(r, 2500)) // first pass, then at least one replay
    send.child.kill('SIGINT')
    expect(await send.exited).toBe(0)
    const summary = /Interrupted: sent (\d+) card\(s\)/.exec(send.stdout())
    expect(summary, send.stdout() + send.stderr()).not.toBeNull()
    const sent = Number(summary![1])
    expect(sent).toBeGreaterThan(5)

    const records = lines((await runCli(['consume', topic], env)).stdout)
    expect(records).toHaveLength(sent) // everything counted was flushed, nothing more
    const first = records.find((r) => r.key === '100000')!
    const replays = records.filter((r) => r.key === '100000').slice(1)
    expect(replays.length).toBeGreaterThan(0)
    for (const r of replays) {
      expect(Math.abs(r.value.price.amount - first.value.price.amount)).toBeLessThanOrEqual(first.value.price.amount * 0.1 + 0.01)
      expect(Date.parse(r.value.updated_at)).toBeGreaterThan(Date.parse(first.value.updated_at))
    }
  })

  it('consume --follow prints records as they arrive until Ctrl-C', async () => {
    const topic = await freshTopic(profile, 'it-follow', 1)
    const follow = startCli(['consume', topic, '--follow'], env)
    await new Promise((r) => setTimeout(r, 2000)) // joined and waiting
    expect((await runCli(['shop', 'send', '--generate', '2', '--seed', '11', '--topic', topic], env)).code).toBe(0)
    await follow.waitFor(/"key":"100001"/)
    follow.child.kill('SIGINT')
    expect(await follow.exited).toBe(0)
    expect(lines(follow.stdout()).map((r) => r.key)).toEqual(['100000', '100001'])
  })

  it('consume --follow --from end prints only what is written after it started, on every partition; a missing topic is exit 7', async () => {
    const topic = await freshTopic(profile, 'it-tail', 3)
    expect((await runCli(['shop', 'send', '--generate', '6', '--seed', '12', '--topic', topic], env)).code).toBe(0)
    const follow = startCli(['consume', topic, '--follow', '--from', 'end'], env)
    await new Promise((r) => setTimeout(r, 3000)) // positioned and waiting
    // The same ids again (100000-100029, on all three partitions): the 6 sent before would show up as repeats of 100000-100005.
    expect((await runCli(['shop', 'send', '--generate', '30', '--seed', '13', '--topic', topic], env)).code).toBe(0)
    await follow.waitFor(/(?:[^\n]*"key":"1000\d\d"[^\n]*\n){30}/)
    await new Promise((r) => setTimeout(r, 1000)) // nothing more comes
    follow.child.kill('SIGINT')
    expect(await follow.exited).toBe(0)
    const read = lines(follow.stdout()) as Array<Line & {partition: number}>
    expect(read.map((r) => r.key).sort()).toEqual(Array.from({length: 30}, (_, i) => String(100_000 + i)))
    expect(new Set(read.map((r) => r.partition)).size).toBe(3)

    const missing = await runCli(['consume', 'no-such-topic-tail', '--follow', '--from', 'end'], env)
    expect(missing.code).toBe(7)
    expect(missing.stderr).toMatch(/no-such-topic-tail/)
  })

  it('an unreachable broker or registry is one clear error each (exit 4)', async () => {
    const noBroker = await runCli(['shop', 'send', '--generate', '1', '--bootstrap-server', '127.0.0.1:1'], env)
    expect(noBroker.code).toBe(4)
    expect(noBroker.stderr).toContain('Cannot reach the Kafka brokers 127.0.0.1:1')
    const noRegistry = await runCli(['shop', 'send', '--generate', '1', '--registry-url', 'http://127.0.0.1:1/apis/ccompat/v7'], env)
    expect(noRegistry.code).toBe(4)
    expect(noRegistry.stderr).toContain('Cannot reach the schema registry at http://127.0.0.1:1/apis/ccompat/v7')
  })

  it('schema list and show describe what shop send registered', async () => {
    expect((await runCli(['shop', 'send', '--generate', '1'], env)).code).toBe(0)
    const list = await runCli(['schema', 'list', '--json'], env)
    expect(list.code, list.stderr).toBe(0)
    const subjects = list.json<{subjects: Array<{subject: string; versions: number[]}>}>().subjects.map((s) => s.subject)
    expect(subjects).toEqual(expect.arrayContaining(['shop-products-value', 'shop-products-dlq-value']))
    const show = await runCli(['schema', 'show', 'shop-products-value', '--json'], env)
    expect(show.json<{schema: {name: string}}>().schema.name).toBe('ProductCard')
    const missing = await runCli(['schema', 'show', 'no-such-subject'], env)
    expect(missing.code).toBe(7)
    expect(missing.stderr).toContain('no version "latest" of subject "no-such-subject"')
  })
})
