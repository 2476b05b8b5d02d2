import {SchemaRegistry} from '@kafkajs/confluent-schema-registry'

import type {Profile} from '../config/schema.js'

/**
 * The one place the full registry client is built (Avro, Protobuf and JSON
 * Schema). Kept out of registry.ts: loading it costs a command line call about
 * 100 ms, so short-lived paths decode Avro with AvroWireDecoder instead.
 */
export function createRegistry(profile: Profile): SchemaRegistry {
  const {url, username, password} = profile.schemaRegistry
  return new SchemaRegistry({host: url, ...(username && password ? {auth: {username, password}} : {}), retry: {retries: 2}})
}
