/**
 * Worker thread of the send pipeline: parse, validate and Avro-encode a chunk
 * of input records off the main thread, which keeps only reading and the
 * Kafka client. Encoded values come back in one transferred buffer.
 */
import {parentPort} from 'node:worker_threads'

import avro from 'avsc'

import {processChunk, type ChunkRequest, type WorkerInit} from './encode-chunk.js'

let ready: {card: avro.Type; init: WorkerInit} | undefined

parentPort!.on('message', (message: {init: WorkerInit} | {chunk: ChunkRequest}) => {
  if ('init' in message) {
    ready = {card: avro.Type.forSchema(JSON.parse(message.init.cardSchema) as avro.Schema), init: message.init}
    return
  }
  const result = processChunk(message.chunk, ready!.init, ready!.card)
  parentPort!.postMessage(result, [result.buffer, result.cards.buffer as ArrayBuffer])
})
