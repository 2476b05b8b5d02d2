import {afterEach, describe, expect, inject, it} from 'vitest'

import {restartService, signalService} from '../../src/infra/index.js'
import {withAdmin} from '../../src/kafka/client.js'
import {healRuntime} from './helpers.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
afterEach(() => healRuntime(stateDir), 180_000)

// kafka-2 first: the admin client reaches it, then it dies under the request.
const viaKafka2 = {...profile, brokers: [profile.brokers[1]!, profile.brokers[0]!, profile.brokers[2]!]}

/**
 * The preflight of `mkt shop send` (and every admin request) must survive
 * the death of the broker it happens to talk to. A bare kafkajs admin
 * sometimes keeps asking that broker (CI: `shop send` exited 4 with two of
 * three brokers up) and sometimes finds another one first, depending on
 * when it sees the socket close, so the failure cannot be reproduced on
 * demand; withAdmin retries on a fresh client. Each kill lands at a
 * different point of the request: before it, and right after it was sent.
 */
describe('an admin request whose broker dies under it', () => {
  for (const inFlight of [false, true])
    it(
      `is answered by another broker through withAdmin when kafka-2 dies ${inFlight ? 'while the request is in flight' : 'before the request'}`,
      {timeout: 120_000},
      async () => {
        let killed = false
        const metadata = await withAdmin(viaKafka2, async (admin) => {
          if (killed) return admin.fetchTopicMetadata({topics: ['shop-products']})
          killed = true
          if (!inFlight) await signalService(stateDir, 'kafka-2', 'KILL')
          const request = admin.fetchTopicMetadata({topics: ['shop-products']})
          request.catch(() => {}) // awaited below; a rejection during the kill is not unhandled
          if (inFlight) await signalService(stateDir, 'kafka-2', 'KILL')
          return request
        })
        expect(metadata.topics.map((t) => t.name)).toEqual(['shop-products'])
        expect(metadata.topics[0]!.partitions.length).toBeGreaterThan(0)
        await restartService(stateDir, 'kafka-2')
      },
    )
})
