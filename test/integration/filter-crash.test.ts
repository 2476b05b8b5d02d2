import {describe, expect, inject, it} from 'vitest'

import {addBans} from '../../src/bans/index.js'
import {consumeTopic} from '../../src/consume/index.js'
import {withAdmin} from '../../src/kafka/client.js'
import {fromValues, generateCards, sendCards} from '../../src/shop/index.js'
import {startCli, type Running} from '../helpers/spawn.js'
import {freshTopic, groupLag, waitForCaughtUp, waitForSettled} from '../helpers/topics.js'

const profile = inject('profile')
const baseEnv = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined}
const CARDS = 50_000

/** Records (and transaction markers) written to a topic so far: grows while a worker produces. */
async function writtenTo(topic: string): Promise<number> {
  return withAdmin(profile, async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0))
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

interface CrashOutcome {
  kills: number[]
  duplicated: Array<[string, number]>
  missing: string[]
  distinct: number
  expected: number
  decisions: number
}

/** 50,000 cards in the input, a filter worker SIGKILLed at random moments mid-stream 2-4 times, then run to the end. */
async function crashRun(eos: boolean): Promise<CrashOutcome> {
  const [input, output, events, dlq, bans] = await Promise.all([
    freshTopic(profile, 'it-crash-in', 6),
    freshTopic(profile, 'it-crash-out', 6),
    freshTopic(profile, 'it-crash-events', 3),
    freshTopic(profile, 'it-crash-dlq', 1),
    freshTopic(profile, 'it-crash-bans', 1, {'cleanup.policy': 'compact'}),
  ])
  const group = `it-crash-${Date.now()}`
  const cards = [...generateCards({count: CARDS, seed: 77, firstId: 1_000_000})]
  const bannedSku = cards[10]!.sku
  await addBans(
    profile,
    [
      {productId: cards[5]!.product_id, reason: 'id'},
      {sku: bannedSku, reason: 'sku'},
    ],
    {topic: bans},
  )
  const expected = new Set(cards.filter((c) => c.product_id !== cards[5]!.product_id && c.sku !== bannedSku).map((c) => c.product_id))

  const args = [
    'filter',
    'start',
    '--eos',
    String(eos),
    '--group',
    group,
    '--input-topic',
    input,
    '--output-topic',
    output,
    '--events-topic',
    events,
    '--dlq-topic',
    dlq,
    '--bans-topic',
    bans,
    '--metrics-port',
    '0',
  ]
  const env = {...baseEnv, MKT_LOG_LEVEL: 'info'}
  // All cards are in the input before the first worker starts: every worker has a backlog.
  await sendCards(profile, fromValues(cards), {topic: input, dlqTopic: dlq})
  let current: Running = startCli(args, env)
  // Each worker is killed at a random moment after it has produced output, so every kill
  // lands in the middle of the stream (between produce and commit, sooner or later).
  const kills: number[] = []
  for (let i = 0; i < 4; i++) {
    const before = await writtenTo(output)
    const worker = current
    await waitUntil(async () => (await writtenTo(output)) >= before + 1000 || (await groupLag(profile, group, input)) === 0).catch((error: Error) => {
      throw new Error(`${error.message}: no progress; the worker's last log lines:\n${worker.stderr().split('\n').slice(-30).join('\n')}`)
    })
    if ((await groupLag(profile, group, input)) === 0) break // all consumed already: nothing left to interrupt
    await new Promise((r) => setTimeout(r, Math.random() * 300))
    current.child.kill('SIGKILL')
    kills.push(await current.exited)
    current = startCli(args, env)
  }
  await waitForCaughtUp(profile, group, input, 120_000)
  await current.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
  current.child.kill('SIGTERM')
  expect(await current.exited).toBe(0)
  // The killed workers' open transactions are aborted by the coordinator, not by their successors.
  if (eos) await Promise.all([waitForSettled(profile, output), waitForSettled(profile, events)])

  const seen = new Map<string, number>()
  await consumeTopic(profile, output, {onRecord: (r) => seen.set(r.key!, (seen.get(r.key!) ?? 0) + 1)})
  let decisions = 0
  await consumeTopic(profile, events, {onRecord: () => decisions++})
  return {
    kills,
    duplicated: [...seen].filter(([, n]) => n > 1),
    missing: [...expected].filter((id) => !seen.has(id)),
    distinct: seen.size,
    expected: expected.size,
    decisions,
  }
}

describe('filter under kill -9', () => {
  it('loses nothing and duplicates nothing while a worker is SIGKILLed at random points as 50,000 cards flow', {timeout: 300_000}, async () => {
    const run = await crashRun(true)
    expect(run.kills.length).toBeGreaterThanOrEqual(2)
    expect(run.kills.every((code) => code === -1)).toBe(true) // really killed, not stopped
    expect(run.duplicated).toEqual([])
    expect(run.missing).toEqual([])
    expect(run.distinct).toBe(run.expected)
    expect(run.decisions).toBe(CARDS) // one audit record per card, also exactly once
  })

  // The negative control: the same run at least once must show duplicates, or the test above could not fail.
  it('duplicates cards with --eos false under the same kills (the exactly-once test has teeth)', {timeout: 300_000}, async () => {
    const run = await crashRun(false)
    expect(run.kills.length).toBeGreaterThanOrEqual(2)
    expect(run.missing).toEqual([]) // at least once still loses nothing
    expect(run.duplicated.length).toBeGreaterThan(0)
    expect(run.decisions).toBeGreaterThan(CARDS)
  })
})
