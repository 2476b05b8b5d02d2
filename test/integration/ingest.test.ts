import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, inject, it} from 'vitest'

import {validateCard} from '../../src/catalog/validate.js'
import {consumeTopic, type ConsumedRecord} from '../../src/consume/index.js'
import {MktError} from '../../src/errors.js'
import {partitionForKey} from '../../src/kafka/partition.js'
import {bundledSchema, registerSchema, registryRequest} from '../../src/schema/index.js'
import {generateCards, openCardFile, sendCards} from '../../src/shop/index.js'
import {readTopic} from '../helpers/kafka.js'
import {freshTopic} from '../helpers/topics.js'
import {createRegistry} from '../../src/schema/registry-client.js'

const profile = inject('profile')
const SAMPLE = path.resolve('data/products.json')
const WITH_ERRORS = path.resolve('test/fixtures/cards-with-errors.jsonl')

async function readAll(topic: string): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = []
  await consumeTopic(profile, topic, {onRecord: (r) => records.push(r)})
  return records
}

describe('shop send', () => {
  it('delivers every sample card as Confluent-framed Avro that the registry decodes back to the input', async () => {
    const [topic, dlq] = [await freshTopic(profile, 'it-cards', 6), await freshTopic(profile, 'it-dlq')]
    const input = JSON.parse(fs.readFileSync(SAMPLE, 'utf8')) as Array<{product_id: string}>
    const stats = await sendCards(profile, (await openCardFile(SAMPLE)).items, {topic, dlqTopic: dlq})
    expect(stats).toMatchObject({read: input.length, sent: input.length, rejected: 0})

    // Raw bytes, as any Confluent consumer sees them: magic byte, schema id, Avro.
    const raw = await readTopic(profile, topic, (rs) => rs.length >= input.length)
    expect(raw).toHaveLength(input.length)
    const registry = createRegistry(profile)
    const byKey = new Map<string, unknown>()
    for (const record of raw) {
      expect(record.value![0]).toBe(0)
      // Keyed as any Kafka client would place it (partitioned on the worker threads).
      expect(record.partition, record.key!).toBe(partitionForKey(record.key!, 6))
      byKey.set(record.key!, await registry.decode(record.value!))
    }
    for (const card of input) {
      const expected = validateCard(card)
      expect(expected.ok).toBe(true)
      expect(byKey.get(card.product_id), card.product_id).toEqual(expected.ok && expected.card)
    }
    expect(await readAll(dlq)).toEqual([])
  })

  it('puts exactly the malformed, incomplete, mistyped and negative-priced cards in the DLQ and delivers the rest', async () => {
    const [topic, dlq] = [await freshTopic(profile, 'it-cards'), await freshTopic(profile, 'it-dlq')]
    const rejected: string[] = []
    const stats = await sendCards(profile, (await openCardFile(WITH_ERRORS)).items, {topic, dlqTopic: dlq, onReject: (where) => rejected.push(where)})
    expect(stats).toMatchObject({read: 8, sent: 3, rejected: 5})

    const delivered = await readAll(topic)
    expect(delivered.map((r) => r.key).sort()).toEqual(['12345', '12347', '12350'])
    expect(delivered.every((r) => r.format === 'avro')).toBe(true)

    const dead = (await readAll(dlq)).map(
      (r) => r.value as {source_line: number; reason: string; errors: string[]; original: string; source_file: string; stage: string},
    )
    const byLine = new Map(dead.map((d) => [d.source_line, d]))
    expect([...byLine.keys()].sort((a, b) => a - b)).toEqual([2, 3, 6, 7, 9])
    expect(byLine.get(2)!.reason).toMatch(/not valid JSON/)
    expect(byLine.get(2)!.original).toBe('{"product_id": "broken-1", "name": "Чайник", ')
    expect(byLine.get(3)!.errors).toContain('price: is required')
    expect(byLine.get(6)!.errors).toContain('stock.available: must be a whole number, got the string "много"')
    expect(byLine.get(7)!.errors).toContain('price.amount: must be >= 0')
    expect(byLine.get(9)!.reason).toMatch(/must be a JSON object, got an array/)
    for (const d of dead) {
      expect(d.source_file).toBe(WITH_ERRORS)
      expect(d.stage).toBe('shop-send')
    }
    expect(rejected).toEqual([2, 3, 6, 7, 9].map((line) => `${WITH_ERRORS} line ${line}`))
  })

  it('numbers rejected lines across the blocks of a large JSON Lines file as the file does', async () => {
    const [topic, dlq] = [await freshTopic(profile, 'it-cards'), await freshTopic(profile, 'it-dlq')]
    const lines = [...generateCards({count: 4000, seed: 11})].map((c) => JSON.stringify(c))
    const bad = new Map([
      [1, '{"product_id": "x"'],
      [1500, '{"product_id": "neg", "price": {"amount": -1}}'],
      [3333, '[]'],
      [4003, 'nope'],
    ])
    for (const [line, text] of bad) lines.splice(line - 1, 0, text)
    lines.splice(2000, 0, '', '  ') // blank lines: not records, but lines
    const file = path.join(os.tmpdir(), `mkt-blocks-${process.pid}.jsonl`)
    fs.writeFileSync(file, `${lines.join('\n')}\n`)
    expect(fs.statSync(file).size).toBeGreaterThan(3 * 768 * 1024) // several blocks
    const stats = await sendCards(profile, (await openCardFile(file)).blocks!, {topic, dlqTopic: dlq})
    expect(stats).toMatchObject({read: 4004, sent: 4000, rejected: 4})
    const dead = (await readAll(dlq)).map((r) => r.value as {source_line: number; source_index: number; original: string})
    // Lines after the two blank ones move down by two; indexes count records only.
    const expected = [
      [1, 0],
      [1500, 1499],
      [3335, 3332],
      [4005, 4002],
    ]
    expect(dead.map((d) => [d.source_line, d.source_index]).sort((a, b) => a[0]! - b[0]!)).toEqual(expected)
    expect(dead.map((d) => d.original).sort()).toEqual([...bad.values()].sort())
  })

  it('produces the same records in the same order with no worker thread and with three', async () => {
    const perPartition = async (threads: number) => {
      const [topic, dlq] = [await freshTopic(profile, 'it-threads'), await freshTopic(profile, 'it-dlq')]
      await sendCards(profile, (await openCardFile(WITH_ERRORS)).items, {topic, dlqTopic: dlq, threads, batchSize: 2})
      await sendCards(profile, (await openCardFile(SAMPLE)).items, {topic, dlqTopic: dlq, threads, batchSize: 7})
      const records = await readAll(topic)
      return [0, 1, 2].map((p) => records.filter((r) => r.partition === p).map((r) => [r.key, JSON.stringify(r.value)]))
    }
    const inline = await perPartition(0)
    expect(inline.flat()).toHaveLength(3 + 74)
    expect(await perPartition(3)).toEqual(inline)
  })

  it('refuses to start on a topic that does not exist, naming it', async () => {
    const attempt = sendCards(profile, [], {topic: 'no-such-topic-here'})
    await expect(attempt).rejects.toThrow(/No topic named "no-such-topic-here"/)
  })
})

describe('schema evolution', () => {
  const card = JSON.parse(bundledSchema('product-card.avsc').text) as {fields: Array<Record<string, unknown>>}

  it('registers an added optional field as version 2 and refuses a breaking change with a clear error', async () => {
    const subject = `it-evolution-${Date.now()}-value`
    const v1 = await registerSchema(profile, subject, JSON.stringify(card))
    const withOptional = {...card, fields: [...card.fields, {name: 'weight_grams', type: ['null', 'int'], default: null}]}
    const v2 = await registerSchema(profile, subject, JSON.stringify(withOptional))
    expect(v2).not.toBe(v1)
    expect(await registryRequest<number[]>(profile, 'GET', `/subjects/${subject}/versions`)).toEqual([1, 2])

    const breaking = {...withOptional, fields: [...withOptional.fields.filter((f) => f.name !== 'sku'), {name: 'barcode', type: 'string'}]}
    const refused = await registerSchema(profile, subject, JSON.stringify(breaking)).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(MktError)
    expect((refused as MktError).code).toBe('incompatible')
    expect((refused as MktError).message).toContain(`refused the new schema for "${subject}"`)
    expect((refused as MktError).suggestion).toMatch(/add fields with defaults/)
    expect(await registryRequest<number[]>(profile, 'GET', `/subjects/${subject}/versions`)).toEqual([1, 2])
  })
})
