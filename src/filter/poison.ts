import type {SchemaRegistry} from '@kafkajs/confluent-schema-registry'
import type avro from 'avsc'

import type {ProductCard} from '../catalog/card.js'
import {wireSchemaId} from '../schema/avro.js'

const LOOKUP_TIMEOUT_MS = 10_000

/** A record that can never be decoded, whoever reads it: it goes to the DLQ. */
export class Poison extends Error {}

/** The registry did not answer as it should (down, 5xx, network): not the record's fault, so it is retried, never dead-lettered. */
export class RegistryUnavailable extends Error {}

function status(error: unknown): number | undefined {
  const e = error as {status?: unknown; response?: {status?: unknown}; originalError?: {status?: unknown}} | null
  const value = e?.status ?? e?.response?.status ?? e?.originalError?.status
  return typeof value === 'number' ? value : undefined
}

/**
 * Decodes a card in the Confluent wire format. Only provably bad records are
 * Poison: no value, no magic byte, a schema id the registry says does not
 * exist (404), or bytes that do not decode with the schema it returned.
 * Anything else about the registry is RegistryUnavailable.
 */
export async function decodeCard(registry: SchemaRegistry, value: Buffer | null): Promise<ProductCard> {
  if (value === null || value.length === 0) throw new Poison('the record has no value')
  const id = wireSchemaId(value)
  if (id === undefined) throw new Poison('the value is not Avro in the Confluent wire format (no magic byte 0)')
  let schema: avro.Type
  let timer: NodeJS.Timeout | undefined
  try {
    // A registry that accepts connections but never answers (frozen) must not hold the batch, and a stop, forever.
    const silent = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${LOOKUP_TIMEOUT_MS / 1000} s`)), LOOKUP_TIMEOUT_MS)),
    )
    schema = (await Promise.race([registry.getSchema(id), silent])) as unknown as avro.Type
  } catch (error) {
    if (status(error) === 404 || /\b40403\b/.test((error as Error).message)) throw new Poison(`unknown schema id ${id}`)
    throw new RegistryUnavailable(`the schema registry did not return schema ${id}: ${(error as Error).message}`, {cause: error})
  } finally {
    clearTimeout(timer)
  }
  try {
    return schema.fromBuffer(value.subarray(5)) as ProductCard
  } catch (error) {
    throw new Poison(`cannot decode the value with schema id ${id}: ${(error as Error).message}`)
  }
}
