import avro from 'avsc'

import type {Profile} from '../config/schema.js'
import {wireSchemaId} from './avro.js'
import {registryRequest} from './registry.js'

/** Decodes Confluent-framed values; the full registry client (registry-client.ts) is one too. */
export interface WireDecoder {
  decode(buffer: Buffer): Promise<unknown>
}

interface RegisteredSchema {
  schema: string
  schemaType?: string
}

type Decode = (buffer: Buffer) => Promise<unknown>

/**
 * Avro values with avsc, each writer schema fetched once by its id (an id's
 * schema never changes in a registry). A value in a Protobuf or JSON schema
 * goes to the full registry client, loaded only then: a command line call does
 * not pay for what it rarely meets.
 */
export class AvroWireDecoder implements WireDecoder {
  private readonly byId = new Map<number, Promise<Decode>>()

  constructor(private readonly profile: Profile) {}

  async decode(buffer: Buffer): Promise<unknown> {
    const id = wireSchemaId(buffer)
    if (id === undefined) throw new Error('the value is not in the Confluent wire format (magic byte 0, then a 4-byte schema id)')
    return (await this.decoderFor(id))(buffer)
  }

  /** Fetches the subject's latest schema ahead of the first value in it (while the caller connects to the brokers). */
  async prefetchLatest(subject: string): Promise<void> {
    const latest = await registryRequest<RegisteredSchema & {id: number}>(this.profile, 'GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)
    if (!this.byId.has(latest.id)) this.byId.set(latest.id, Promise.resolve(this.decoderOf(latest)))
  }

  private decoderFor(id: number): Promise<Decode> {
    let pending = this.byId.get(id)
    if (!pending) {
      pending = registryRequest<RegisteredSchema>(this.profile, 'GET', `/schemas/ids/${id}`).then((registered) => this.decoderOf(registered))
      pending.catch(() => this.byId.delete(id)) // a registry that was down is asked again for the next value
      this.byId.set(id, pending)
    }
    return pending
  }

  private decoderOf(registered: RegisteredSchema): Decode {
    if ((registered.schemaType ?? 'AVRO') !== 'AVRO') {
      const full = import('./registry-client.js').then(({createRegistry}) => createRegistry(this.profile))
      return async (buffer) => (await full).decode(buffer)
    }
    const type = avro.Type.forSchema(JSON.parse(registered.schema) as avro.Schema)
    return (buffer) => Promise.resolve(type.fromBuffer(buffer.subarray(5)))
  }
}
