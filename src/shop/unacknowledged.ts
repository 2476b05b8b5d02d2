import fs from 'node:fs'
import path from 'node:path'
import {finished} from 'node:stream/promises'

import type avro from 'avsc'

import type {Profile} from '../config/schema.js'
import {accepts, topicReplication} from '../kafka/health.js'
import {ERR, type LibrdKafkaError} from '../kafka/rdkafka.js'

/**
 * The cards Kafka did not acknowledge, as JSON Lines decoded from the exact
 * Avro that was offered: `mkt shop send --file` of this file sends them again.
 * Written as they fail (0600, the directory 0700): nothing accepted from the
 * input is held only in memory.
 */
export class UnacknowledgedLog {
  private out: fs.WriteStream | undefined
  count = 0

  constructor(
    readonly file: string,
    private readonly type: avro.Type,
  ) {}

  static defaultFile(stateDir: string): string {
    return path.join(stateDir, 'unacknowledged', `shop-send-${new Date().toISOString().replaceAll(':', '-')}-${process.pid}.jsonl`)
  }

  /** value: a card in the Confluent wire format (5-byte header, then Avro). */
  add(value: Buffer): void {
    if (!this.out) {
      fs.mkdirSync(path.dirname(this.file), {recursive: true, mode: 0o700})
      this.out = fs.createWriteStream(this.file, {mode: 0o600, flags: 'w'})
    }
    this.out.write(`${JSON.stringify(this.type.fromBuffer(value.subarray(5)))}\n`)
    this.count++
  }

  async write(): Promise<string> {
    if (this.out) {
      this.out.end()
      await finished(this.out)
    }
    return this.file
  }
}

/**
 * One sentence on why Kafka did not acknowledge cards, naming the partitions
 * that cannot take writes. A cluster that lost its controller quorum may not
 * answer metadata requests at all: then it says how many brokers answer.
 */
export async function explainDeliveryFailure(profile: Profile, topic: string, error: LibrdKafkaError): Promise<string> {
  const what = error.code === ERR.ERR__MSG_TIMED_OUT ? 'no acknowledgement within the delivery timeout' : error.message
  try {
    const health = await topicReplication(profile, topic, 8000)
    if (health.unwritable.length === 0) return `Kafka did not acknowledge every card (${what}); all partitions of ${topic} take writes again now.`
    const parts = health.unwritable.map((p) => `${p.partition} (${p.reachableIsr} of ${p.isr} in-sync replicas reachable)`).join(', ')
    return `Kafka did not acknowledge every card (${what}): not enough replicas — partition(s) ${parts} of ${topic} have fewer than min.insync.replicas=${health.minInsyncReplicas}; ${health.brokersReachable} of ${health.brokers} brokers reachable.`
  } catch {
    const answering = await Promise.all(profile.brokers.map((b) => accepts(b.slice(0, b.lastIndexOf(':')), Number(b.slice(b.lastIndexOf(':') + 1)))))
    const up = profile.brokers.filter((_, i) => answering[i])
    if (up.length === 0) return `Kafka did not acknowledge every card (${what}), and none of the brokers ${profile.brokers.join(', ')} answers now.`
    return `Kafka did not acknowledge every card (${what}): not enough replicas — ${up.length} of ${profile.brokers.length} brokers reachable (${up.join(', ')}), and the cluster does not answer metadata requests (a controller quorum is lost when most brokers are down).`
  }
}
