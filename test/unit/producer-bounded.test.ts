import {describe, expect, it} from 'vitest'

import {bounded} from '../../src/kafka/producer.js'

describe('a transactional call librdkafka never answers', () => {
  it('fails as fatal after twice its timeout plus a second, so the filter replaces its producer', async () => {
    const started = Date.now()
    const error = await bounded(new Promise<void>(() => {}), 50, 'sendOffsetsToTransaction').catch((e: unknown) => e)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1090)
    expect(error).toMatchObject({message: 'sendOffsetsToTransaction got no answer from librdkafka within 1100 ms', isFatal: true, isRetriable: false})
  })

  it('passes an answer through, success or failure, as it came', async () => {
    await expect(bounded(Promise.resolve(), 50, 'commitTransaction')).resolves.toBeUndefined()
    const failure = Object.assign(new Error('Broker: Not coordinator'), {isRetriable: true})
    await expect(bounded(Promise.reject(failure), 50, 'commitTransaction')).rejects.toBe(failure)
  })
})
