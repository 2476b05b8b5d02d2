import type avro from 'avsc'

import {WireWriter} from '../schema/avro.js'
import type {ProductCard} from '../catalog/card.js'
import {validateCard, type Validation} from '../catalog/validate.js'
import {describeOrigin, rejectionFromInput} from './rejections.js'
import {originalText, parseItem, splitLineBlock, type LineBlock, type SourceItem} from './sources.js'

export interface WorkerInit {
  cardSchemaId: number
  cardSchema: string
  dlqSchemaId: number
  dlqSchema: string
  stage: string
  store?: string
}

export interface ChunkRequest {
  seq: number
  /** Records, or a block of raw JSON Lines split on the worker. */
  items: SourceItem[] | LineBlock
}

/** Encoded records of one chunk: values are views into `buffer` at the given offsets. */
export interface ChunkResult {
  seq: number
  buffer: ArrayBuffer
  cards: Array<{key: string; start: number; end: number}>
  rejects: Array<{key: string | null; start: number; end: number; where: string; errors: string[]}>
  bytes: number
}

/** Parse (when raw), validate and encode: the same work whether on a worker or inline. */
export function processChunk(request: ChunkRequest, init: WorkerInit, cardType: avro.Type, dlqType: avro.Type): ChunkResult {
  const writer = new WireWriter()
  const cards: ChunkResult['cards'] = []
  const rejects: ChunkResult['rejects'] = []
  let bytes = 0
  const items = Array.isArray(request.items) ? request.items : splitLineBlock(request.items)
  for (const item of items) {
    const parsed = parseItem(item)
    const value = parsed.value
    const result: Validation = parsed.parseError === undefined ? validateCard(value) : {ok: false, errors: [`(record): ${parsed.parseError}`]}
    if (result.ok) {
      const card: ProductCard = init.store && !(value as {store_id?: unknown}).store_id ? {...result.card, store_id: init.store} : result.card
      const at = writer.write(init.cardSchemaId, cardType, card)
      cards.push({key: card.product_id, ...at})
      bytes += at.end - at.start
    } else {
      const rejection = rejectionFromInput(init.stage, item.origin, originalText(item), result.errors)
      rejects.push({key: result.productId ?? null, ...writer.write(init.dlqSchemaId, dlqType, rejection), where: describeOrigin(item.origin), errors: result.errors})
    }
  }
  // Buffers of 256 KiB and more own their ArrayBuffer from offset 0, so it can be transferred as is.
  return {seq: request.seq, buffer: writer.buffer.buffer as ArrayBuffer, cards, rejects, bytes}
}
