import type avro from 'avsc'

import {validateCard} from '../catalog/validate.js'
import {partitionForKey} from '../kafka/partition.js'
import {WireWriter} from '../schema/avro.js'
import {CARD_FIELDS} from './encode-chunk.js'
import {decodeUtf8} from './sources.js'

/** One card's fate in a batch: accepted (acknowledged by Kafka) or rejected with the reasons its DLQ record holds. */
export type CardResult =
  | {index: number; product_id: string; status: 'accepted'; partition: number}
  | {index: number; product_id: string | null; status: 'rejected'; reason: string; errors: string[]}

/** What a sender may send in one batch. */
export interface BatchRules {
  /** Fills store_id where a card has none (the sender's store). */
  store?: string
  /** Every card naming a store must name this one, or nothing of the batch is sent (a shop sends its own cards only). */
  onlyStore?: string
  /** The most cards one batch may hold. */
  maxCards: number
}

/** Why a whole batch was refused before any card of it was sent. */
export type BatchRefusal =
  | {code: 'notJson'; detail: string}
  | {code: 'notCards'}
  | {code: 'tooMany'; count: number; max: number}
  /** "#index (store)" of each card of another store. */
  | {code: 'foreignStore'; cards: string[]}

/** A rejected card's DLQ material: the text as sent and why. */
export interface BatchReject {
  index: number
  productId: string | null
  text: string
  errors: string[]
}

/** A batch validated and encoded: accepted cards are views into `buffer` (CARD_FIELDS numbers each, as in a chunk). */
export interface EncodedBatch {
  refused?: BatchRefusal
  buffer?: Buffer
  cards: Int32Array
  /** Per card, in order; an accepted one's partition is where its key goes. */
  results: CardResult[]
  rejects: BatchReject[]
}

export interface BatchEncoding {
  cardSchemaId: number
  cardType: avro.Type
  partitions: number
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A request body (one card or an array of them, as JSON bytes) or values
 * already parsed: parse, check the batch as a whole (shape, size, stores),
 * then validate and encode each card as `mkt shop send` does (the same
 * validator, wire format and key partitioning), into one buffer.
 */
export function encodeBatch(input: Uint8Array | unknown[], rules: BatchRules, encoding: BatchEncoding): EncodedBatch {
  const refuse = (refused: BatchRefusal): EncodedBatch => ({refused, cards: new Int32Array(0), results: [], rejects: []})
  let body: unknown = input
  if (!Array.isArray(input)) {
    if (input.byteLength === 0) return refuse({code: 'notCards'})
    try {
      // A byte order mark is not JSON, but editors write one (Fastify's own parser drops it too).
      body = JSON.parse(decodeUtf8(Buffer.from(input.buffer, input.byteOffset, input.byteLength)).replace(/^\uFEFF/, ''))
    } catch (error) {
      return refuse({code: 'notJson', detail: (error as Error).message})
    }
  }
  if (!Array.isArray(body) && !isObject(body)) return refuse({code: 'notCards'})
  const values: unknown[] = Array.isArray(body) ? body : [body]
  if (values.length === 0) return refuse({code: 'notCards'})
  if (values.length > rules.maxCards) return refuse({code: 'tooMany', count: values.length, max: rules.maxCards})
  if (rules.onlyStore !== undefined) {
    const foreign = values.flatMap((v, i) => {
      const store = isObject(v) ? v.store_id : undefined
      return typeof store === 'string' && store.trim() !== rules.onlyStore ? [`#${i} (${store})`] : []
    })
    if (foreign.length > 0) return refuse({code: 'foreignStore', cards: foreign})
  }

  // Avro is smaller than the JSON it came from: the body's size is room enough (the writer grows if not).
  const writer = new WireWriter(Array.isArray(input) ? 2048 * values.length : input.byteLength + 1024)
  const cards = new Int32Array(CARD_FIELDS * values.length)
  let accepted = 0
  const results: CardResult[] = []
  const rejects: BatchReject[] = []
  for (const [index, given] of values.entries()) {
    // The sender's store fills a missing store_id before validation, so such a card is valid.
    const value = rules.store && isObject(given) && given.store_id === undefined ? {...given, store_id: rules.store} : given
    const checked = validateCard(value)
    if (!checked.ok) {
      const productId = checked.productId ?? null
      results.push({index, product_id: productId, status: 'rejected', reason: checked.errors[0] ?? 'rejected', errors: checked.errors})
      rejects.push({index, productId, text: JSON.stringify(value) ?? '', errors: checked.errors})
      continue
    }
    const card = checked.card
    const key = writer.writeText(card.product_id)
    const at = writer.write(encoding.cardSchemaId, encoding.cardType, card)
    const partition = partitionForKey(writer.buffer.subarray(key.start, key.end), encoding.partitions)
    const i = CARD_FIELDS * accepted++
    cards[i] = key.start
    cards[i + 1] = at.start
    cards[i + 2] = at.end
    cards[i + 3] = partition
    results.push({index, product_id: card.product_id, status: 'accepted', partition})
  }
  return {buffer: writer.buffer, cards: cards.subarray(0, CARD_FIELDS * accepted), results, rejects}
}
