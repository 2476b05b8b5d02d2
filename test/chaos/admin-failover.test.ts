import {afterEach, describe, expect, inject, it} from 'vitest'

import {restartService, signalService} from '../../src/infra/index.js'
import {createKafka, withAdmin} from '../../src/kafka/client.js'
import {healRuntime} from './helpers.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
afterEach(() => healRuntime(stateDir), 180_000)

// kafka-2 first: the admin client reaches it, then it dies under the request.
const viaKafka2 = {...profile, brokers: [profile.brokers[1]!, profile.brokers[0]!, profile.brokers[2]!]}

/**
 * The preflight of `mkt shop send` (and every admin request) must survive
 * the death of the broker it happens to talk to: kafkajs keeps asking that
 * broker, so withAdmin retries on a fresh client.
 */
describe('an admin request whose broker dies under it', () => {
  it('is answered by another broker through withAdmin; a bare kafkajs admin fails (the control)', {timeout: 120_000}, async () => {
    const control = createKafka(viaKafka2, {role: 'chaos-control'}).admin()
    await control.connect()
    await signalService(stateDir, 'kafka-2', 'KILL')
    await expect(control.fetchTopicMetadata({topics: ['shop-products']})).rejects.toThrow(/connect|ECONN|closed/i)
    await control.disconnect().catch(() => {})
    await restartService(stateDir, 'kafka-2')

    let killed = false
    const metadata = await withAdmin(viaKafka2, async (admin) => {
      if (!killed) {
        killed = true
        await signalService(stateDir, 'kafka-2', 'KILL')
      }
      return admin.fetchTopicMetadata({topics: ['shop-products']})
    })
    expect(metadata.topics.map((t) => t.name)).toEqual(['shop-products'])
    await restartService(stateDir, 'kafka-2')
  })
})
