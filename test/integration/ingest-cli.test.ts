import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, inject, it} from 'vitest'

import {bundledSchema} from '../../src/schema/index.js'
import {runCli} from '../helpers/cli.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined}
const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as {key: string; partition: number; offset: string; value: {name: string; price: {amount: number}}; schemaId: number})

describe('mkt shop send + mkt consume', () => {
  it('sends the sample catalogue and consume shows every card, decoded', async () => {
    const topic = await freshTopic(profile, 'it-cli-cards', 6)
    const sample = JSON.parse(fs.readFileSync('data/products.json', 'utf8')) as Array<{product_id: string; name: string}>
    const send = await runCli(['shop', 'send', '--file', 'data/products.json', '--topic', topic], env)
    expect(send.code, send.stderr).toBe(0)
    expect(send.stdout).toContain(`sent ${sample.length} card(s) to ${topic}, rejected 0`)

    const consumed = await runCli(['consume', topic], env)
    expect(consumed.code, consumed.stderr).toBe(0)
    const records = lines(consumed.stdout)
    expect(records).toHaveLength(sample.length)
    expect(new Map(records.map((r) => [r.key, r.value.name]))).toEqual(new Map(sample.map((c) => [c.product_id, c.name])))
    expect(records.every((r) => r.schemaId > 0)).toBe(true)

    const one = lines((await runCli(['consume', topic, '--key', '12345'], env)).stdout)
    expect(one).toHaveLength(1)
    expect(one[0]!.value.name).toBe('Умные часы XYZ')
    expect(lines((await runCli(['consume', topic, '-n', '5'], env)).stdout)).toHaveLength(5)
    const p = records[0]!.partition
    const inPartition = records.filter((r) => r.partition === p).length
    expect(lines((await runCli(['consume', topic, '--partition', String(p), '--from', '1'], env)).stdout)).toHaveLength(inPartition - 1)
    expect((await runCli(['consume', topic, '--from', 'end'], env)).stdout).toBe('')
  })

  it('exits 8 and prints the rejected lines when a file has bad cards', async () => {
    const topic = await freshTopic(profile, 'it-cli-bad')
    const result = await runCli(['shop', 'send', '--file', 'test/fixtures/cards-with-errors.jsonl', '--topic', topic], env)
    expect(result.code).toBe(8)
    expect(result.stdout).toContain('sent 3 card(s)')
    expect(result.stdout).toContain('rejected 5 to shop-products-dlq')
    expect(result.stderr).toMatch(/rejected .*cards-with-errors\.jsonl line 7: price\.amount: must be >= 0/)
  })

  it('generates the same cards for the same seed', async () => {
    const [a, b] = [await freshTopic(profile, 'it-gen-a', 1), await freshTopic(profile, 'it-gen-b', 1)]
    for (const topic of [a, b]) expect((await runCli(['shop', 'send', '--generate', '50', '--seed', '9', '--topic', topic], env)).code).toBe(0)
    const values = async (topic: string) => lines((await runCli(['consume', topic], env)).stdout).map((r) => [r.key, r.value.name, r.value.price.amount])
    const first = await values(a)
    expect(first).toHaveLength(50)
    expect(await values(b)).toEqual(first)
  })

  it('gives clear errors for a missing file, an unknown topic and conflicting flags', async () => {
    const missing = await runCli(['shop', 'send', '--file', 'no/such/file.json'], env)
    expect(missing.code).toBe(7)
    expect(missing.stderr).toContain('Cannot read the card file no/such/file.json: it does not exist.')
    const unknown = await runCli(['consume', 'no-such-topic'], env)
    expect(unknown.code).toBe(7)
    expect(unknown.stderr).toContain('No topic named "no-such-topic"')
    const none = await runCli(['shop', 'send'], env)
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('Give exactly one source')
  })

  it('schema check: an optional field is compatible, a removed field is not (exit 9)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-schema-'))
    const card = JSON.parse(bundledSchema('product-card.avsc').text) as {fields: Array<{name: string}>}
    fs.writeFileSync(path.join(dir, 'ok.avsc'), JSON.stringify({...card, fields: [...card.fields, {name: 'gift_wrap', type: 'boolean', default: false}]}))
    fs.writeFileSync(
      path.join(dir, 'bad.avsc'),
      JSON.stringify({...card, fields: card.fields.filter((f) => f.name !== 'brand').concat([{name: 'maker', type: 'string'} as {name: string}])}),
    )
    // shop-products-value exists once any card was sent with the default topic naming.
    await runCli(['shop', 'send', '--generate', '1'], env)
    const ok = await runCli(['schema', 'check', path.join(dir, 'ok.avsc'), '--subject', 'shop-products-value'], env)
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('shop-products-value: compatible')
    const bad = await runCli(['schema', 'check', path.join(dir, 'bad.avsc'), '--subject', 'shop-products-value', '--json'], env)
    expect(bad.code).toBe(9)
    expect(bad.json<{compatible: boolean}>().compatible).toBe(false)
  })
})
