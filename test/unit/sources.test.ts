import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {validateCard} from '../../src/catalog/validate.js'
import {generateCards} from '../../src/shop/generate.js'
import {continuous, paced, refreshCard} from '../../src/shop/pace.js'
import {BlockPosition, openCardFile, originalText, parseItem, readJsonLineBlocks, splitLineBlock, type SourceItem} from '../../src/shop/sources.js'

const tmpFile = (name: string, text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-src-')), name)
  fs.writeFileSync(file, text)
  return file
}
const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

describe('card sources', () => {
  it('detects a JSON array and streams its elements with their index', async () => {
    const {format, items} = await openCardFile(tmpFile('a.json', '\uFEFF  [\n{"a":1},\n{"b":[2]}\n]'))
    expect(format).toBe('json-array')
    const all = await collect(items)
    expect(all.map((i) => [i.origin.index, i.value])).toEqual([
      [0, {a: 1}],
      [1, {b: [2]}],
    ])
    expect(originalText(all[1]!)).toBe('{"b":[2]}')
  })

  it('reports a malformed array once, saying how far it got', async () => {
    const good = Array.from({length: 5000}, (_, i) => JSON.stringify({n: i, pad: 'ё'.repeat(40)})).join(',')
    const all = await collect((await openCardFile(tmpFile('b.json', `[${good},{"b":oops},{"c":3}]`))).items)
    const failures = all.filter((i) => i.parseError !== undefined)
    expect(failures).toHaveLength(1)
    expect(failures[0]).toBe(all.at(-1))
    const read = all.length - 1
    expect(read).toBeGreaterThan(0) // elements streamed before the error got through
    expect(failures[0]!.parseError).toMatch(new RegExp(`malformed .*; ${read} element\\(s\\) were read before the error`))
    expect(all.slice(0, read).map((i) => (i.value as {n: number}).n)).toEqual(Array.from({length: read}, (_, i) => i))
  })

  it('reads JSON Lines with line numbers, skipping blank lines and keeping bad lines as text', async () => {
    const {format, items} = await openCardFile(tmpFile('c.jsonl', '{"a":1}\n\n  \nnope\r\n{"b":2}\n'))
    expect(format).toBe('json-lines')
    const all = await collect(items)
    expect(all.map((i) => [i.origin.line, i.origin.index, parseItem(i).parseError === undefined])).toEqual([
      [1, 0, true],
      [4, 1, false],
      [5, 2, true],
    ])
    expect(originalText(all[1]!)).toBe('nope')
  })

  it('splits raw JSON Lines blocks into the same records, whatever the block size', async () => {
    const long = JSON.stringify({pad: 'я'.repeat(3000)})
    const text = `\uFEFF{"a":1}\r\n\n \t\n${long}\nnope\n\n{"b":2}` // no newline at the end
    const file = tmpFile('d.jsonl', text)
    const expected = [
      [1, 0, '{"a":1}'],
      [4, 1, long],
      [5, 2, 'nope'],
      [7, 3, '{"b":2}'],
    ]
    for (const blockBytes of [16, 100, 1 << 20]) {
      const blocks = await collect(readJsonLineBlocks(file, blockBytes))
      const position = new BlockPosition()
      const items = blocks.flatMap((b) => splitLineBlock(b, position))
      expect(items.map((i) => [i.origin.line, i.origin.index, i.raw])).toEqual(expected)
      expect(position).toMatchObject({line: 8, index: 4}) // past the last line and record
      expect(blocks.map((b) => b.first)).toEqual(blocks.map((_, i) => i === 0))
      expect(blocks.every((b) => b.bytes.byteOffset === 0)).toBe(true) // each owns its buffer, so it can be transferred
    }
  })

  it('decodes UTF-8 lines, and a line with invalid bytes with replacement characters instead of failing the block', async () => {
    const file = path.join(os.tmpdir(), `mkt-bad-utf8-${process.pid}.jsonl`)
    fs.writeFileSync(file, Buffer.concat([Buffer.from('{"name":"Чайник ёмкий 😀"}\n{"name":"'), Buffer.from([0xd0, 0xff]), Buffer.from('"}\n')]))
    // One block with both lines, and a block per line (the valid one decoded by the fast path).
    for (const blockBytes of [1 << 20, 16]) {
      const position = new BlockPosition()
      const items = (await collect(readJsonLineBlocks(file, blockBytes))).flatMap((b) => splitLineBlock(b, position))
      expect(items.map((i) => i.raw)).toEqual(['{"name":"Чайник ёмкий 😀"}', '{"name":"\uFFFD\uFFFD"}'])
    }
  })

  it('says clearly when the file is missing or a directory', async () => {
    await expect(openCardFile('/no/such/cards.json')).rejects.toThrow('Cannot read the card file /no/such/cards.json: it does not exist.')
    await expect(openCardFile(os.tmpdir())).rejects.toThrow(/not a regular file/)
  })
})

describe('generated catalogue', () => {
  it('is valid, Russian, spread over categories and the same for the same seed', () => {
    const cards = [...generateCards({count: 2000, seed: 5})]
    expect(cards.every((c) => validateCard(c).ok)).toBe(true)
    expect(new Set(cards.map((c) => c.category)).size).toBeGreaterThanOrEqual(8)
    expect(new Set(cards.map((c) => c.product_id)).size).toBe(2000)
    expect(cards.every((c) => /[а-яё]/i.test(c.name))).toBe(true)
    expect([...generateCards({count: 20, seed: 5})]).toEqual(cards.slice(0, 20))
    expect([...generateCards({count: 20, seed: 6})]).not.toEqual(cards.slice(0, 20))
    expect([...generateCards({count: 3, seed: 5, store: 'store_042'})].every((c) => c.store_id === 'store_042')).toBe(true)
  })
})

describe('pacing and live mode', () => {
  async function* numbers(n: number) {
    for (let i = 0; i < n; i++) yield i
  }

  it('holds a rate of N items per second', async () => {
    const started = Date.now()
    expect(await collect(paced(numbers(11), {rate: 50}))).toHaveLength(11)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190) // 10 intervals of 20 ms
  })

  it('stops waiting as soon as it is aborted', async () => {
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 50)
    const started = Date.now()
    const got = await collect(paced(numbers(100), {delayMs: 1000, signal: stop.signal}))
    expect(got).toEqual([0])
    expect(Date.now() - started).toBeLessThan(900)
  })

  it('replays only valid cards after the first pass, with fresh prices within 10% and a new updated_at', async () => {
    const card = [...generateCards({count: 1, seed: 1})][0]!
    const refreshed = refreshCard(card, new Date('2030-01-01T00:00:00Z')) as typeof card
    expect(refreshed.updated_at).toBe('2030-01-01T00:00:00.000Z')
    expect(Math.abs(refreshed.price.amount - card.price.amount)).toBeLessThanOrEqual(card.price.amount * 0.1 + 0.01)

    const items: SourceItem[] = [
      {origin: {index: 0}, value: card},
      {origin: {index: 1}, parseError: 'broken', raw: 'x'},
    ]
    const stop = new AbortController()
    const seen: SourceItem[] = []
    for await (const item of continuous(async () => items, stop.signal)) {
      seen.push(item)
      if (seen.length === 5) stop.abort()
    }
    expect(seen.map((i) => i.parseError !== undefined)).toEqual([false, true, false, false, false])
  })
})
