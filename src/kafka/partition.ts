import murmurhash from 'murmurhash'

import {Partitioners, type ICustomPartitioner} from './kafkajs.js'

/** The seed of Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2). */
const KAFKA_MURMUR2_SEED = 0x9747b28c

/**
 * The partition of a key among `partitions`, as Kafka's default partitioner
 * places it (Java, librdkafka's murmur2_random, kafkajs's DefaultPartitioner):
 * murmur2 of the key's bytes, made positive, modulo the partition count.
 * murmurhash's v2 over bytes is that murmur2, ten times faster than kafkajs's.
 */
export function partitionForKey(key: Uint8Array | string, partitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key) : key
  return (murmurhash.v2(bytes, KAFKA_MURMUR2_SEED) & 0x7fffffff) % partitions
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
