import {describe, expect, it} from 'vitest'

import {Partitioners} from '../../src/kafka/kafkajs.js'
import {partitionForKey} from '../../src/kafka/partition.js'

// murmur2 values from Kafka's own Java tests (UtilsTest.testMurmur2).
const JAVA_MURMUR2: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
]
const metadata = (n: number) => Array.from({length: n}, (_, partitionId) => ({partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0}))

describe('key partitioning', () => {
  it('puts a key where the Java client does: murmur2, made positive, modulo the partition count', () => {
    for (const [key, hash] of JAVA_MURMUR2) {
      for (const n of [1, 3, 6, 7]) expect(partitionForKey(Buffer.from(key), n), `${key} / ${n}`).toBe((hash & 0x7fffffff) % n)
    }
  })

  it("agrees with kafkajs's Java-compatible default partitioner on UTF-8 keys", () => {
    const kafkajs = Partitioners.DefaultPartitioner()
    for (let i = 0; i < 500; i++) {
      const key = `товар-${i}`
      expect(partitionForKey(Buffer.from(key), 6)).toBe(kafkajs({topic: 't', partitionMetadata: metadata(6), message: {key, value: null}}))
    }
  })
})
