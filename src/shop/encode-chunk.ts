import type avro from 'avsc'

import type {ProductCard} from '../catalog/card.js'
import {validateCard, type Validation} from '../catalog/validate.js'
import {partitionForKey} from '../kafka/partition.js'
import {WireWriter} from '../schema/avro.js'
import {forEachLine, originalText, parseItem, parseJson, type BlockCounts, type LineBlock, type Origin, type SourceItem} from './sources.js'

export interface WorkerInit {
  cardSchemaId: number
  cardSchema: string
  store?: string
  /** Partitions of the card topic: cards are partitioned by key here, off the main thread. */
  partitions: number
}

export interface ChunkRequest {
  seq: number
  /** Records, or a block of raw JSON Lines split on the worker. */
  items: SourceItem[] | LineBlock
}

/** Numbers per accepted card in ChunkResult.cards. */
export const CARD_FIELDS = 4

/** A refused record, as the input had it; its DLQ record is written by the receiver (rejects are rare). */
export interface ChunkReject {
  productId?: string
  /** For a block, relative to it: line 1 is its first line, index 0 its first record. */
  origin: Origin
  text: string
  errors: string[]
}

/** Encoded cards of one chunk: keys and values are views into `buffer`. */
export interface ChunkResult {
  seq: number
  buffer: ArrayBuffer
  /** Per accepted card, CARD_FIELDS numbers: key start, value start (where the key ends), value end, partition. */
  cards: Int32Array
  rejects: ChunkReject[]
  /** For a block: its line and record counts, which place the next block in the file. */
  block?: BlockCounts
  bytes: number
}

/** Parse (when raw), validate and encode: the same work whether on a worker or inline. */
export function processChunk(request: ChunkRequest, init: WorkerInit, cardType: avro.Type): ChunkResult {
  const writer = new WireWriter()
  const items = request.items
  let cards = new Int32Array(CARD_FIELDS * (Array.isArray(items) ? items.length : 2048))
  let accepted = 0
  const rejects: ChunkReject[] = []
  let bytes = 0

  const take = (parsed: {value?: unknown; parseError?: string}, origin: () => Origin, text: () => string) => {
    const value = parsed.value
    const result: Validation = parsed.parseError === undefined ? validateCard(value) : {ok: false, errors: [`(record): ${parsed.parseError}`]}
    if (!result.ok) {
      rejects.push({...(result.productId ? {productId: result.productId} : {}), origin: origin(), text: text(), errors: result.errors})
      return
    }
    const card: ProductCard = init.store && !(value as {store_id?: unknown}).store_id ? {...result.card, store_id: init.store} : result.card
    const key = writer.writeText(card.product_id)
    const at = writer.write(init.cardSchemaId, cardType, card)
    if (cards.length < CARD_FIELDS * (accepted + 1)) {
      const bigger = new Int32Array(cards.length * 2)
      bigger.set(cards)
      cards = bigger
    }
    const i = CARD_FIELDS * accepted++
    cards[i] = key.start
    cards[i + 1] = at.start
    cards[i + 2] = at.end
    cards[i + 3] = partitionForKey(writer.buffer.subarray(key.start, key.end), init.partitions)
    bytes += at.end - at.start
  }

  let block: BlockCounts | undefined
  if (Array.isArray(items)) {
    for (const item of items)
      take(
        parseItem(item),
        () => item.origin,
        () => originalText(item),
      )
  } else {
    block = forEachLine(items, (raw, line, index) =>
      take(
        parseJson(raw),
        () => ({file: items.file, line, index}),
        () => raw,
      ),
    )
  }
  // Buffers of 256 KiB and more own their ArrayBuffer from offset 0, so it can be transferred as is.
  return {
    seq: request.seq,
    buffer: writer.buffer.buffer as ArrayBuffer,
    cards: cards.subarray(0, CARD_FIELDS * accepted),
    rejects,
    ...(block ? {block} : {}),
    bytes,
  }
}
