import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'

import avro from 'avsc'
import {SchemaType} from '@kafkajs/confluent-schema-registry'
import {describe, expect, inject, it} from 'vitest'

import {infraUp, localRuntimeStatus, startLocalRuntime, stopLocalRuntime} from '../../src/infra/index.js'
import {registryRequest} from '../../src/schema/index.js'
import {createRegistry} from '../../src/schema/registry-client.js'
import {AvroWireDecoder} from '../../src/schema/wire-decoder.js'
import {desiredTopics, listTopics, loadTopicSpec} from '../../src/topics/index.js'
import {MktError} from '../../src/errors.js'
import {produce, readTopic} from '../helpers/kafka.js'
import {freePortBase} from '../helpers/ports.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
const configFile = inject('configFile')

const cardSchema = {
  type: 'record',
  name: 'ProbeCard',
  namespace: 'dev.mkt.test',
  fields: [
    {name: 'product_id', type: 'string'},
    {name: 'name', type: 'string'},
  ],
}

describe('local runtime', () => {
  it('creates every topic of the spec with its partitions, replication and configs', async () => {
    const expected = desiredTopics(loadTopicSpec(), 1)
    const topics = new Map((await listTopics(profile)).map((t) => [t.name, t]))
    for (const want of expected) {
      const have = topics.get(want.name)
      expect(have, want.name).toBeDefined()
      expect(have!.partitions, want.name).toBe(want.partitions)
      expect(have!.replication, want.name).toBe(want.replication)
      expect(have!.configs, want.name).toEqual(want.configs)
      expect(have!.underReplicated).toBe(0)
    }
    expect(topics.get('banned-products')!.configs['cleanup.policy']).toBe('compact')
  })

  it('round-trips records through a real broker with librdkafka', async () => {
    const key = `probe-${Date.now()}`
    await produce(profile, 'shop-products', [{key, value: JSON.stringify({hello: 'мир'})}])
    const records = await readTopic(profile, 'shop-products', (rs) => rs.some((r) => r.key === key))
    const mine = records.find((r) => r.key === key)
    expect(JSON.parse(mine!.value!.toString())).toEqual({hello: 'мир'})
  })

  it('registers an Avro schema through the Confluent API and fetches it back by id', async () => {
    const registry = createRegistry(profile)
    const subject = `probe-${Date.now()}-value`
    const {id} = await registry.register({type: SchemaType.AVRO, schema: JSON.stringify(cardSchema)}, {subject})
    expect(id).toBeGreaterThan(0)
    const fetched = await registryRequest<{schema: string}>(profile, 'GET', `/schemas/ids/${id}`)
    expect(JSON.parse(fetched.schema)).toMatchObject({name: 'ProbeCard'})
    const encoded = await registry.encode(id, {product_id: 'p-1', name: 'Умные часы'})
    expect(encoded[0]).toBe(0) // Confluent wire format: magic byte, then the 4-byte id
    expect(encoded.readInt32BE(1)).toBe(id)
    expect(await registry.decode(encoded)).toEqual({product_id: 'p-1', name: 'Умные часы'})
    expect(avro.Type.forSchema(cardSchema as avro.Schema).fromBuffer(encoded.subarray(5))).toMatchObject({name: 'Умные часы'})
  })

  it('decodes with AvroWireDecoder as the full client does: by the writer id, Avro with avsc, a JSON Schema value through the client', async () => {
    const registry = createRegistry(profile)
    const subject = `wire-${Date.now()}-value`
    const v1 = await registry.register({type: SchemaType.AVRO, schema: JSON.stringify(cardSchema)}, {subject})
    const widened = {...cardSchema, fields: [...cardSchema.fields, {name: 'brand', type: 'string', default: ''}]}
    const v2 = await registry.register({type: SchemaType.AVRO, schema: JSON.stringify(widened)}, {subject})
    expect(v2.id).not.toBe(v1.id)
    const old = await registry.encode(v1.id, {product_id: 'p-1', name: 'Чайник'})
    const current = await registry.encode(v2.id, {product_id: 'p-2', name: 'Кофемолка', brand: 'Bork'})

    const decoder = new AvroWireDecoder(profile)
    await decoder.prefetchLatest(subject)
    expect(await decoder.decode(current)).toEqual(await registry.decode(current))
    expect(await decoder.decode(old)).toEqual({product_id: 'p-1', name: 'Чайник'})

    const jsonSubject = `wire-json-${Date.now()}-value`
    const jsonSchema = {type: 'object', properties: {sku: {type: 'string'}}, required: ['sku']}
    const json = await registry.register({type: SchemaType.JSON, schema: JSON.stringify(jsonSchema)}, {subject: jsonSubject})
    expect(await decoder.decode(await registry.encode(json.id, {sku: 'SKU-1'}))).toEqual({sku: 'SKU-1'})

    const unknown = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2])
    await expect(decoder.decode(unknown)).rejects.toThrow(/schemas\/ids\/2147483632 with 404/)
    await expect(decoder.decode(Buffer.from('{"plain": "json"}'))).rejects.toThrow(/not in the Confluent wire format/)
  })

  it('says so and changes nothing when up runs on a running runtime', async () => {
    const before = localRuntimeStatus(stateDir).services.map((s) => s.pid)
    const again = await infraUp({stateDir, configFile, profileName: 'it'})
    expect(again.alreadyRunning).toBe(true)
    expect(again.started).toEqual([])
    expect(localRuntimeStatus(stateDir).services.map((s) => s.pid)).toEqual(before)
  })

  it('keeps messages and schemas across down + up', async () => {
    const key = `durable-${Date.now()}`
    await produce(profile, 'filtered-products', [{key, value: 'survives restarts'}])
    const subject = `durable-${Date.now()}-value`
    const {id} = await createRegistry(profile).register({type: SchemaType.AVRO, schema: JSON.stringify(cardSchema)}, {subject})

    const stopped = await stopLocalRuntime(stateDir)
    expect(stopped.stopped.map((s) => s.result)).not.toContain('not-running')
    expect(localRuntimeStatus(stateDir).services.every((s) => s.state === 'stopped')).toBe(true)

    const restarted = await infraUp({stateDir, configFile, profileName: 'it'})
    expect(restarted.alreadyRunning).toBe(false)
    expect(restarted.topics!.plan.actions).toEqual([]) // nothing to re-create

    const records = await readTopic(profile, 'filtered-products', (rs) => rs.some((r) => r.key === key))
    expect(records.find((r) => r.key === key)?.value?.toString()).toBe('survives restarts')
    const latest = await registryRequest<{id: number}>(profile, 'GET', `/subjects/${subject}/versions/latest`)
    expect(latest.id).toBe(id)
  })

  it('refuses a port that another program holds, naming the port and the flag', async () => {
    const base = await freePortBase(4)
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(base, '127.0.0.1', r))
    const otherState = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-clash-'))
    try {
      const attempt = startLocalRuntime({stateDir: otherState, overrides: {kafkaPort: base, registryPort: base + 2, metricsPort: base + 3}})
      await expect(attempt).rejects.toThrow(MktError)
      await expect(attempt).rejects.toThrow(new RegExp(`Port ${base} \\(kafka-1 client\\).*in use`))
      await attempt.catch((error: MktError) => {
        expect(error.suggestion).toContain('--kafka-port')
        expect(error.exitCode).toBe(6)
      })
      expect(localRuntimeStatus(otherState).services).toEqual([]) // nothing was started
    } finally {
      blocker.close()
      fs.rmSync(otherState, {recursive: true, force: true})
    }
  })
})
