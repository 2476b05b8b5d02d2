import {wireSchemaId} from '../schema/avro.js'
import type {WireDecoder} from '../schema/wire-decoder.js'

export interface DecodedValue {
  value: unknown
  /** How the value was read: avro (via the registry), json, text, base64, or null for a tombstone. */
  format: 'avro' | 'json' | 'text' | 'base64' | 'null'
  schemaId?: number
  error?: string
}

const UTF8 = new TextDecoder('utf-8', {fatal: true})

/** Avro through the registry when the bytes carry the Confluent header; otherwise JSON, text or base64. */
export async function decodeValue(buffer: Buffer | null, registry: WireDecoder): Promise<DecodedValue> {
  if (buffer === null) return {value: null, format: 'null'}
  const schemaId = wireSchemaId(buffer)
  if (schemaId !== undefined) {
    try {
      return {value: await registry.decode(buffer), format: 'avro', schemaId}
    } catch (error) {
      return {value: buffer.toString('base64'), format: 'base64', schemaId, error: `cannot decode with schema id ${schemaId}: ${(error as Error).message}`}
    }
  }
  let text: string
  try {
    text = UTF8.decode(buffer)
  } catch {
    return {value: buffer.toString('base64'), format: 'base64'}
  }
  try {
    return {value: JSON.parse(text), format: 'json'}
  } catch {
    return {value: text, format: 'text'}
  }
}
