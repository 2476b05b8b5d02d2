import {setTimeout as sleep} from 'node:timers/promises'

import {afterEach, describe, expect, inject, it} from 'vitest'

import {consumeTopic} from '../../src/consume/index.js'
import {signalService, restartService} from '../../src/infra/index.js'
import {encodeWire} from '../../src/schema/avro.js'
import {topicValueSchema} from '../../src/schema/subjects.js'
import {generateCards, SHOP_TOPIC} from '../../src/shop/index.js'
import {produce} from '../helpers/kafka.js'
import {startCli} from '../helpers/spawn.js'
import {freshTopic, waitForCaughtUp} from '../helpers/topics.js'
import {chaosLane, defects, filterArgs, healRuntime, keyCounts, until} from './helpers.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined, MKT_LOG_LEVEL: 'info', NO_COLOR: '1'}

afterEach(() => healRuntime(stateDir), 180_000)

describe('a follower (ban list, catalogue, replies) while brokers die', () => {
  it('never moves backwards: every record exactly once across two broker kills and restarts', {timeout: 300_000}, async () => {
    const topic = await freshTopic(profile, 'chaos-follow', 3, {'min.insync.replicas': '2'}, 3)
    const seen: string[] = []
    const stop = new AbortController()
    let caughtUp!: () => void
    const ready = new Promise<void>((r) => (caughtUp = r))
    const following = consumeTopic(profile, topic, {follow: true, signal: stop.signal, maxWaitMs: 50, onCaughtUp: caughtUp, onRecord: (r) => seen.push(r.key!)})
    await ready
    const batch = (from: number) => Array.from({length: 300}, (_, i) => ({key: `k${from + i}`, value: `v${from + i}`}))
    await produce(profile, topic, batch(0))
    await until(() => seen.length >= 300, 30_000, 'the first 300 records')
    await signalService(stateDir, 'kafka-1', 'KILL')
    await produce({...profile, brokers: profile.brokers.slice(1)}, topic, batch(300))
    await restartService(stateDir, 'kafka-1')
    await signalService(stateDir, 'kafka-2', 'KILL')
    await produce({...profile, brokers: [profile.brokers[0]!, profile.brokers[2]!]}, topic, batch(600))
    await restartService(stateDir, 'kafka-2')
    await until(() => seen.length >= 900, 60_000, 'all 900 records')
    await sleep(2000) // a replay from offset 0 would show here
    stop.abort()
    await following
    expect(seen).toHaveLength(900)
    expect(new Set(seen).size).toBe(900)
  })
})

describe('the schema registry frozen while the filter runs', () => {
  it('holds cards back and retries rather than dead-letter them; they pass once the registry answers', {timeout: 300_000}, async () => {
    const lane = await chaosLane(profile, 'chaos-reg')
    const schema = await topicValueSchema(profile, lane.input, SHOP_TOPIC)
    const cards = [...generateCards({count: 200, seed: 61, firstId: 9_500_000})]
    const filter = startCli(filterArgs(lane), env)
    await filter.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
    await signalService(stateDir, 'registry', 'STOP')
    try {
      // The filter has not decoded a card yet, so it must ask the registry for the card schema.
      await produce(
        profile,
        lane.input,
        cards.map((c) => ({key: c.product_id, value: encodeWire(schema.id, schema.type, c)})),
      )
      await filter.waitFor(/schema registry unavailable; the batch waits and is retried/, 60_000, 'stderr')
      expect((await keyCounts(profile, lane.dlq)).size).toBe(0)
      expect((await keyCounts(profile, lane.output)).size).toBe(0)
    } finally {
      await signalService(stateDir, 'registry', 'CONT')
    }
    await waitForCaughtUp(profile, lane.group, lane.input, 120_000)
    const output = defects(
      await keyCounts(profile, lane.output),
      cards.map((c) => c.product_id),
    )
    expect(output).toEqual({duplicated: [], missing: [], unexpected: []})
    expect((await keyCounts(profile, lane.dlq)).size).toBe(0)
    filter.child.kill('SIGTERM')
    expect(await filter.exited, filter.stderr().slice(-1500)).toBe(0)
  })
})
