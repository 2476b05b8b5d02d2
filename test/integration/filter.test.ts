import {afterEach, describe, expect, inject, it} from 'vitest'

import {addBans, removeBan} from '../../src/bans/index.js'
import {consumeTopic, type ConsumedRecord} from '../../src/consume/index.js'
import {startFilter, type FilterWorker} from '../../src/filter/worker.js'
import {workerLogger} from '../../src/log-structured.js'
import {fromValues, generateCards, sendCards} from '../../src/shop/index.js'
import {produce} from '../helpers/kafka.js'
import {freshTopic, waitForCaughtUp} from '../helpers/topics.js'

const profile = inject('profile')
const logger = workerLogger('test-filter').child({}, {level: 'warn'})

/** Isolated topics and group for one test: nothing else reads or writes them. */
async function lane(partitions = 3) {
  const [input, output, events, dlq, bans] = await Promise.all([
    freshTopic(profile, 'it-f-in', partitions),
    freshTopic(profile, 'it-f-out', partitions),
    freshTopic(profile, 'it-f-events', 3),
    freshTopic(profile, 'it-f-dlq', 1),
    freshTopic(profile, 'it-f-bans', 1, {'cleanup.policy': 'compact'}),
  ])
  return {input, output, events, dlq, bans, group: `it-filter-${Date.now()}-${Math.random()}`}
}
type Lane = Awaited<ReturnType<typeof lane>>

const workers: FilterWorker[] = []
async function worker(l: Lane, eos = true): Promise<FilterWorker> {
  const w = await startFilter(profile, {
    groupId: l.group,
    inputTopic: l.input,
    outputTopic: l.output,
    eventsTopic: l.events,
    dlqTopic: l.dlq,
    bansTopic: l.bans,
    eos,
    logger,
    sessionTimeoutMs: 6000,
  })
  workers.push(w)
  await w.ready
  return w
}
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()))
})

async function readAll(topic: string): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = []
  await consumeTopic(profile, topic, {onRecord: (r) => records.push(r)})
  return records
}

const cards = (count: number, seed: number, firstId = 100_000) => [...generateCards({count, seed, firstId})]

describe('banned-product filter', () => {
  it('holds back cards banned by id and by SKU, audits every decision, and lets them pass again after unban', async () => {
    const l = await lane()
    const batch = cards(30, 1)
    const [byId, bySku] = [batch[3]!, batch[7]!]
    await addBans(
      profile,
      [
        {productId: byId.product_id, reason: 'подделка'},
        {sku: bySku.sku, reason: 'нет сертификата'},
      ],
      {topic: l.bans},
    )
    await worker(l)

    await sendCards(profile, fromValues(batch), {topic: l.input, dlqTopic: l.dlq})
    await waitForCaughtUp(profile, l.group, l.input)
    const passed = (await readAll(l.output)).map((r) => r.key)
    expect(passed.sort()).toEqual(
      batch
        .filter((c) => c !== byId && c !== bySku)
        .map((c) => c.product_id)
        .sort(),
    )

    const decisions = (await readAll(l.events)).map(
      (r) => r.value as {product_id: string; decision: string; reason: string | null; ban_key: string | null; source_offset: number},
    )
    expect(decisions).toHaveLength(30)
    expect(decisions.find((d) => d.product_id === byId.product_id)).toMatchObject({
      decision: 'BANNED_PRODUCT',
      reason: 'подделка',
      ban_key: `product:${byId.product_id}`,
    })
    expect(decisions.find((d) => d.product_id === bySku.product_id)).toMatchObject({
      decision: 'BANNED_SKU',
      reason: 'нет сертификата',
      ban_key: `sku:${bySku.sku}`,
    })
    expect(decisions.filter((d) => d.decision === 'PASSED')).toHaveLength(28)

    await removeBan(profile, {productId: byId.product_id}, {topic: l.bans})
    await removeBan(profile, {sku: bySku.sku}, {topic: l.bans})
    await new Promise((r) => setTimeout(r, 1000)) // "visible within a second"
    await sendCards(profile, fromValues([byId, bySku]), {topic: l.input, dlqTopic: l.dlq})
    await waitForCaughtUp(profile, l.group, l.input)
    const after = (await readAll(l.output)).map((r) => r.key)
    expect(after.filter((k) => k === byId.product_id || k === bySku.product_id).sort()).toEqual([byId.product_id, bySku.product_id].sort())
  })

  it('applies a ban made while running to every card consumed after it', async () => {
    const l = await lane()
    await worker(l)
    const [first, second] = [cards(10, 2, 200_000), cards(10, 2, 200_000)]
    await sendCards(profile, fromValues(first), {topic: l.input, dlqTopic: l.dlq})
    await waitForCaughtUp(profile, l.group, l.input)
    await addBans(profile, [{productId: '200004', reason: 'жалоба'}], {topic: l.bans})
    await new Promise((r) => setTimeout(r, 1000))
    await sendCards(profile, fromValues(second), {topic: l.input, dlqTopic: l.dlq})
    await waitForCaughtUp(profile, l.group, l.input)
    const passed = (await readAll(l.output)).map((r) => r.key)
    expect(passed.filter((k) => k === '200004')).toHaveLength(1) // passed before the ban, held back after
    expect(passed).toHaveLength(19)
  })

  it('sends poison records to the DLQ with their offsets and keeps the rest flowing', async () => {
    const l = await lane(1)
    await worker(l)
    await produce(profile, l.input, [
      {key: 'junk-1', value: 'not avro at all'},
      {key: 'junk-2', value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3])},
    ])
    await sendCards(profile, fromValues(cards(5, 3, 300_000)), {topic: l.input, dlqTopic: l.dlq})
    await waitForCaughtUp(profile, l.group, l.input)

    expect((await readAll(l.output)).map((r) => r.key).sort()).toEqual(['300000', '300001', '300002', '300003', '300004'])
    const dead = (await readAll(l.dlq)).map(
      (r) => r.value as {stage: string; reason: string; source_topic: string; source_offset: number; original_encoding: string},
    )
    expect(dead.map((d) => [d.source_offset, d.stage, d.source_topic])).toEqual([
      [0, 'filter', l.input],
      [1, 'filter', l.input],
    ])
    expect(dead[0]!.reason).toMatch(/not Avro in the Confluent wire format/)
    expect(dead[1]!.reason).toMatch(/unknown schema id 2147483632/)
    expect(dead[0]!.original_encoding).toBe('BASE64')
  })

  it('two workers in one group split the partitions and together emit the exact set once', async () => {
    const l = await lane(6)
    const [a, b] = [await worker(l), await worker(l)]
    await new Promise((r) => setTimeout(r, 2000)) // let the second join settle
    const batch = cards(3000, 4, 400_000)
    await sendCards(profile, fromValues(batch), {topic: l.input, dlqTopic: l.dlq})
    await waitForCaughtUp(profile, l.group, l.input)
    const keys = (await readAll(l.output)).map((r) => r.key!)
    expect(keys).toHaveLength(3000)
    expect(new Set(keys).size).toBe(3000)
    expect(a.stats().cardsIn).toBeGreaterThan(0)
    expect(b.stats().cardsIn).toBeGreaterThan(0)
    expect(a.stats().cardsIn + b.stats().cardsIn).toBe(3000)
  })

  it('at-least-once mode filters the same way', async () => {
    const l = await lane()
    await addBans(profile, [{productId: '500001', reason: 'x'}], {topic: l.bans})
    await worker(l, false)
    await sendCards(profile, fromValues(cards(20, 5, 500_000)), {topic: l.input, dlqTopic: l.dlq})
    await waitForCaughtUp(profile, l.group, l.input)
    const keys = (await readAll(l.output)).map((r) => r.key)
    expect(keys).toHaveLength(19)
    expect(keys).not.toContain('500001')
  })
})
