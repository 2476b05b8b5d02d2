import {describe, expect, it} from 'vitest'

import {retryRetriable} from '../../src/kafka/client.js'

// What kafkajs's admin.fetchTopicOffsets throws when a ListOffsets answer comes back empty.
const offsetsGap = () => new TypeError("Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.")

describe('retryRetriable', () => {
  it("retries kafkajs's empty-offsets TypeError like a retriable Kafka error", async () => {
    let calls = 0
    const result = await retryRetriable(
      async () => {
        if (++calls < 3) throw offsetsGap()
        return 'offsets'
      },
      5,
      1,
    )
    expect([result, calls]).toEqual(['offsets', 3])
  })

  it('gives up after its attempts, and never retries other errors', async () => {
    let calls = 0
    await expect(retryRetriable(async () => (++calls, Promise.reject(offsetsGap())), 3, 1)).rejects.toThrow(/destructure property 'partitions'/)
    expect(calls).toBe(3)
    calls = 0
    await expect(retryRetriable(async () => (++calls, Promise.reject(new TypeError('x is not a function'))), 3, 1)).rejects.toThrow(/not a function/)
    expect(calls).toBe(1)
  })
})
