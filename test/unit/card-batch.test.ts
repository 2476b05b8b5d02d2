import fs from 'node:fs'

import {describe, expect, it} from 'vitest'

import {partitionForKey} from '../../src/kafka/partition.js'
import {bundledSchema} from '../../src/schema/avro.js'
import {encodeBatch, type EncodedBatch} from '../../src/shop/card-batch.js'
import {CARD_FIELDS} from '../../src/shop/encode-chunk.js'

const sample = JSON.parse(fs.readFileSync('data/products.json', 'utf8')) as Array<Record<string, unknown>>
const card = bundledSchema('product-card.avsc')
const encoding = {cardSchemaId: 7, cardType: card.type, partitions: 6}
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value))

/** Each accepted card as Kafka gets it: key text, partition, schema id and the decoded value. */
function decoded(batch: EncodedBatch) {
  const out = []
  for (let i = 0; i < batch.cards.length; i += CARD_FIELDS) {
    const view = (start: number, end: number) => batch.buffer!.subarray(start, end)
    const key = view(batch.cards[i]!, batch.cards[i + 1]!)
    const value = view(batch.cards[i + 1]!, batch.cards[i + 2]!)
    expect(value[0]).toBe(0)
    out.push({key: key.toString(), partition: batch.cards[i + 3], schemaId: value.readInt32BE(1), card: card.type.fromBuffer(value.subarray(5))})
  }
  return out
}

describe('a batch of cards from a request body', () => {
  it('encodes the valid cards (key, partition, wire format) and lists each bad one with its reasons and text, in order', () => {
    const good = sample.slice(0, 3)
    const batch = encodeBatch(bytes([good[0], {product_id: 'x1', name: ''}, good[1], good[2]]), {maxCards: 10}, encoding)
    expect(batch.refused).toBeUndefined()
    expect(batch.results.map((r) => [r.index, r.product_id, r.status])).toEqual([
      [0, good[0]!.product_id, 'accepted'],
      [1, 'x1', 'rejected'],
      [2, good[1]!.product_id, 'accepted'],
      [3, good[2]!.product_id, 'accepted'],
    ])
    const cards = decoded(batch)
    expect(cards.map((c) => c.key)).toEqual([good[0], good[1], good[2]].map((g) => g!.product_id))
    for (const c of cards) {
      expect(c.schemaId).toBe(7)
      expect(c.partition).toBe(partitionForKey(Buffer.from(c.key), 6))
      expect(c.card).toMatchObject({product_id: c.key})
    }
    expect(batch.rejects).toEqual([
      {index: 1, productId: 'x1', text: '{"product_id":"x1","name":""}', errors: expect.arrayContaining(['name: must not be empty'])},
    ])
  })

  it('refuses the whole batch, naming why, when it is not JSON, not cards, too large or holds another store’s card', () => {
    expect(encodeBatch(Buffer.from('[{"product_id": '), {maxCards: 5}, encoding).refused).toMatchObject({code: 'notJson'})
    expect(encodeBatch(Buffer.alloc(0), {maxCards: 5}, encoding).refused).toEqual({code: 'notCards'})
    expect(encodeBatch(bytes('a card'), {maxCards: 5}, encoding).refused).toEqual({code: 'notCards'})
    expect(encodeBatch(bytes([]), {maxCards: 5}, encoding).refused).toEqual({code: 'notCards'})
    expect(encodeBatch(bytes([{}, {}, {}]), {maxCards: 2}, encoding).refused).toEqual({code: 'tooMany', count: 3, max: 2})
    const mixed = [
      {...sample[0], store_id: 'store-1'},
      {...sample[1], store_id: ' store-1 '},
      {...sample[2], store_id: 'store-2'},
    ]
    expect(encodeBatch(bytes(mixed), {maxCards: 5, onlyStore: 'store-1'}, encoding).refused).toEqual({code: 'foreignStore', cards: ['#2 (store-2)']})
  })

  it('reads a body that starts with a byte order mark', () => {
    const batch = encodeBatch(Buffer.concat([Buffer.from('\uFEFF'), bytes(sample[0])]), {maxCards: 1}, encoding)
    expect(batch.results).toMatchObject([{status: 'accepted', product_id: sample[0]!.product_id}])
  })

  it("fills a missing store_id with the sender's store before validating", () => {
    const {store_id: _drop, ...withoutStore} = sample[0]!
    const batch = encodeBatch(bytes(withoutStore), {maxCards: 1, store: 'store-9', onlyStore: 'store-9'}, encoding)
    expect(decoded(batch)[0]!.card).toMatchObject({store_id: 'store-9'})
  })
})
