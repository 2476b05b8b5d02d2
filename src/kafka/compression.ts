import {compressFrameSync, decompressFrameSync} from 'lz4-napi'

import {CompressionCodecs, CompressionTypes} from './kafkajs.js'

let registered = false

/**
 * kafkajs ships only GZIP; LZ4 comes from lz4-napi (prebuilt native binaries,
 * no install script). Kafka uses the standard LZ4 frame format, which is what
 * compressFrame writes, so Java clients read these batches too.
 */
export function registerLz4(): void {
  if (registered) return
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: {buffer: Buffer}) => compressFrameSync(encoder.buffer),
    decompress: async (buffer: Buffer) => decompressFrameSync(buffer),
  })
  registered = true
}

export {CompressionTypes}
