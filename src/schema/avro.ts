import fs from 'node:fs'

import avro from 'avsc'

import {MktError} from '../errors.js'
import {composePath} from '../package-root.js'

/** Reads and parses an Avro schema file (.avsc), naming the file in any error. */
export function readAvroSchema(file: string): {text: string; type: avro.Type} {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new MktError(`Cannot read the schema file ${file}: ${(error as Error).message}.`, 'Check the path.', 'notFound')
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new MktError(`The schema file ${file} is not valid JSON: ${(error as Error).message}.`, 'An .avsc file is a JSON Avro schema.', 'config')
  }
  try {
    return {text: JSON.stringify(json), type: avro.Type.forSchema(json as avro.Schema)}
  } catch (error) {
    throw new MktError(
      `The schema file ${file} is not a valid Avro schema: ${(error as Error).message}.`,
      'See https://avro.apache.org/docs/ for the schema format.',
      'config',
    )
  }
}

const bundled = new Map<string, {text: string; type: avro.Type}>()

/** A schema shipped in compose/schemas, parsed once. */
export function bundledSchema(name: string): {text: string; type: avro.Type} {
  let schema = bundled.get(name)
  if (!schema) {
    schema = readAvroSchema(composePath('schemas', name))
    bundled.set(name, schema)
  }
  return schema
}

/**
 * Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary.
 * Synchronous on purpose: the registry client's encode() is async per record,
 * too slow for the million-card hot path; ids come from that client.
 */
export function encodeWire(schemaId: number, type: avro.Type, value: unknown): Buffer {
  const body = type.toBuffer(value)
  const out = Buffer.allocUnsafe(5 + body.length)
  out[0] = 0
  out.writeInt32BE(schemaId, 1)
  body.copy(out, 5)
  return out
}

export function wireSchemaId(buffer: Buffer): number | undefined {
  return buffer.length >= 5 && buffer[0] === 0 ? buffer.readInt32BE(1) : undefined
}

/**
 * Writes many wire-format records one after another into one growing
 * buffer (one allocation for a whole chunk instead of two per record);
 * callers keep the offsets and cut views out of `buffer` at the end.
 */
export class WireWriter {
  buffer: Buffer
  position = 0

  constructor(initialBytes = 256 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes)
  }

  write(schemaId: number, type: avro.Type, value: unknown): {start: number; end: number} {
    for (;;) {
      const start = this.position
      if (this.buffer.length - start >= 5) {
        this.buffer[start] = 0
        this.buffer.writeInt32BE(schemaId, start + 1)
        const end = type.encode(value, this.buffer, start + 5)
        if (end > 0) {
          this.position = end
          return {start, end}
        }
      }
      this.grow()
    }
  }

  /** Appends a string as UTF-8 (a record key beside its value). */
  writeText(text: string): {start: number; end: number} {
    const start = this.position
    // Three bytes per UTF-16 unit is the most UTF-8 can need, so the write is never cut short.
    while (this.buffer.length - start < text.length * 3) this.grow()
    this.position = start + this.buffer.write(text, start, 'utf8')
    return {start, end: this.position}
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafe(this.buffer.length * 2)
    this.buffer.copy(bigger, 0, 0, this.position)
    this.buffer = bigger
  }
}
