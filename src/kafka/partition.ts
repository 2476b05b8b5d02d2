import {createRequire} from 'node:module'

import {Partitioners, type ICustomPartitioner} from './kafkajs.js'

// kafkajs's own Java-compatible murmur2, the hash its DefaultPartitioner uses: a key computed here lands
// on the partition any Kafka client (Java, librdkafka's murmur2_random, kafkajs) would choose.
const murmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number

/** The partition of a key among `partitions`, as Kafka's default partitioner places it. */
export function partitionForKey(key: Buffer | string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions
}

/**
 * Uses the partition a message already carries (computed off the main thread
 * with partitionForKey) and falls back to kafkajs's default for the others;
 * kafkajs's own partitioner filters the partition list for every message.
 */
export const presetPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner()
  return (args) => args.message.partition ?? fallback(args)
}
