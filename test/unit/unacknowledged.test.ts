import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {validateCard} from '../../src/catalog/validate.js'
import {bundledSchema, encodeWire} from '../../src/schema/avro.js'
import {generateCards} from '../../src/shop/generate.js'
import {UnacknowledgedLog} from '../../src/shop/unacknowledged.js'

describe('the file of cards Kafka did not acknowledge', () => {
  it('holds each card as the exact JSON that validates and sends again, in a 0600 file in a 0700 folder', async () => {
    const {type} = bundledSchema('product-card.avsc')
    const cards = [...generateCards({count: 50, seed: 5})]
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-unacked-')), 'nested', 'shop-send.jsonl')
    const log = new UnacknowledgedLog(file, type)
    for (const card of cards) log.add(encodeWire(7, type, card))
    expect(await log.write()).toBe(file)
    expect(log.count).toBe(50)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown)
    expect(lines).toEqual(cards)
    for (const line of lines) expect(validateCard(line).ok, JSON.stringify(line)).toBe(true)
  })

  it('writes nothing when every card was acknowledged', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-unacked-')), 'none.jsonl')
    const log = new UnacknowledgedLog(file, bundledSchema('product-card.avsc').type)
    await log.write()
    expect(fs.existsSync(file)).toBe(false)
  })
})
