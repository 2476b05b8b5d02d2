/**
 * What the soak benchmark watches while cards flow: committed records of a
 * topic as they arrive, new lines of the file sink, and lag samples. Each
 * observer runs until stopped and never throws on a dying broker: a sample
 * that cannot be taken is skipped.
 */
import fs from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'

import type {Profile} from '../../src/config/schema.js'
import {retryRetriable, withAdmin} from '../../src/kafka/client.js'
import {openPartitionReader} from '../../src/kafka/reader.js'

export interface Arrival {
  key: string
  partition: number
  /** The card's produce timestamp (the filter and MirrorMaker 2 keep it). */
  producedAt: number
  at: number
}

export interface Observer {
  stop: () => Promise<void>
}

/** Follows every partition of a topic from its start, read committed, calling onArrival per record. */
export async function followTopic(profile: Profile, topic: string, onArrival: (a: Arrival) => void): Promise<Observer> {
  const offsets = await withAdmin(profile, (admin) => retryRetriable(() => admin.fetchTopicOffsets(topic), 20, 500))
  const reader = await openPartitionReader(profile, {role: 'bench', topic, starts: new Map(offsets.map((o) => [o.partition, 0n])), maxWaitMs: 20})
  let running = true
  const loop = (async () => {
    while (running) {
      for (const item of await reader.next()) {
        if (item.kind !== 'message') continue
        const at = Date.now()
        onArrival({key: item.message.key!.toString(), partition: item.message.partition, producedAt: item.message.timestamp ?? at, at})
      }
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      await reader.close()
    },
  }
}

/** Reads the lines a file sink appends (every 100 ms), calling onLine with each product id and when it was seen. */
export function tailSink(file: string, onLine: (productId: string, at: number) => void): Observer {
  let position = 0
  let partial = ''
  let running = true
  const loop = (async () => {
    while (running) {
      const size = fs.existsSync(file) ? fs.statSync(file).size : 0
      if (size > position) {
        const fd = fs.openSync(file, 'r')
        const chunk = Buffer.alloc(size - position)
        fs.readSync(fd, chunk, 0, chunk.length, position)
        fs.closeSync(fd)
        position = size
        const at = Date.now()
        const lines = (partial + chunk.toString('utf8')).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) if (line) onLine((JSON.parse(line) as {product_id: string}).product_id, at)
      }
      await sleep(100)
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
    },
  }
}

export interface LagSample {
  at: number
  values: Record<string, number>
}

/** Calls each probe every intervalMs; a probe that fails (a broker just died) leaves its value out of that sample. */
export function sampleEvery(intervalMs: number, probes: Record<string, () => Promise<number>>, samples: LagSample[]): Observer {
  let running = true
  const loop = (async () => {
    while (running) {
      const started = Date.now()
      const values: Record<string, number> = {}
      await Promise.all(
        Object.entries(probes).map(async ([name, probe]) => {
          const value = await probe().catch(() => undefined)
          if (value !== undefined) values[name] = value
        }),
      )
      samples.push({at: started, values})
      await sleep(Math.max(0, intervalMs - (Date.now() - started)))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
    },
  }
}

/** Records on the topic (high watermarks summed), as Kafka has acknowledged them. */
export async function topicEnd(profile: Profile, topic: string): Promise<number> {
  return withAdmin(profile, async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((sum, o) => sum + Number(o.high), 0), {
    retries: 1,
    requestTimeout: 2000,
  })
}
