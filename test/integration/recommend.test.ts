import fs from 'node:fs'
import path from 'node:path'

import {afterEach, describe, expect, inject, it} from 'vitest'

import {addBans} from '../../src/bans/index.js'
import type {ProductCard} from '../../src/catalog/card.js'
import {EventSink} from '../../src/events/index.js'
import {workerLogger} from '../../src/log-structured.js'
import {askForRecommendations, RECOMMENDATIONS_TOPIC, startRecommender, type Recommender, type UserRecommendations} from '../../src/recommend/index.js'
import {openCardFile, sendCards} from '../../src/shop/index.js'
import {runCli} from '../helpers/cli.js'
import {startCli} from '../helpers/spawn.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')
const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined, NO_COLOR: '1'}
const logger = workerLogger('test-recommend').child({}, {level: 'warn'})
const SAMPLE = path.resolve(import.meta.dirname, '../../data/products.json')
const sample = JSON.parse(fs.readFileSync(SAMPLE, 'utf8')) as ProductCard[]
const byId = new Map(sample.map((c) => [c.product_id, c]))

const running: Recommender[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()))
})

const list = (user: string, ids: string[], source = 'als'): UserRecommendations => ({
  user_id: user,
  items: ids.map((id, i) => ({product_id: id, score: 1 - i / 100})),
  source,
  model_version: 'als-test',
  computed_at: '2026-11-22T00:00:00.000Z',
})

describe('the recommender', () => {
  it("answers over Kafka with the user's list, filtered at answer time by stock, category, price and bans", async () => {
    const [catalog, dlq, bans, lists, requests, results] = await Promise.all([
      freshTopic(profile, 'it-r-cat'),
      freshTopic(profile, 'it-r-dlq', 1),
      freshTopic(profile, 'it-r-bans', 1, {'cleanup.policy': 'compact'}),
      freshTopic(profile, 'it-r-lists', 3, {'cleanup.policy': 'compact'}),
      freshTopic(profile, 'it-r-req'),
      freshTopic(profile, 'it-r-res'),
    ])
    await sendCards(profile, (await openCardFile(SAMPLE)).items, {topic: catalog, dlqTopic: dlq})
    // 12346 is out of stock; 12348 gets banned below; 12389 and 12407 are cheap; 12407-12413 are books.
    const sink = await EventSink.open<UserRecommendations>(profile, {topic: lists, schemaTopic: RECOMMENDATIONS_TOPIC, key: (l) => l.user_id, role: 'test'})
    sink.emit(list('u1', ['12345', '12346', '12347', '12348', '12389', '12407', '12350']))
    sink.emit(list('*', ['12414', '12356', '12407'], 'popular'))
    sink.emit(list('*:Книги', ['12408', '12411', '12407'], 'popular'))
    await sink.close()

    const recommender = await startRecommender(profile, {
      logger,
      groupId: `it-r-${Date.now()}`,
      requestsTopic: requests,
      resultsTopic: results,
      recommendationsTopic: lists,
      catalogTopic: catalog,
      bansTopic: bans,
    })
    running.push(recommender)
    await recommender.ready
    const ask = (input: Parameters<typeof askForRecommendations>[1]) =>
      askForRecommendations(profile, input, {wait: true, timeoutMs: 10_000, requestsTopic: requests, resultsTopic: results})

    const all = await ask({userId: 'u1', limit: 10})
    expect(all.reply!.request_id).toBe(all.request.request_id)
    expect(all.reply).toMatchObject({user_id: 'u1', source: 'als', model_version: 'als-test'})
    const ids = all.reply!.items.map((i) => i.product_id)
    expect(ids.slice(0, 6)).toEqual(['12345', '12347', '12348', '12389', '12407', '12350']) // 12346: out of stock
    expect(all.reply!.items[0]).toMatchObject({name: byId.get('12345')!.name, price: byId.get('12345')!.price.amount, category: 'Электроника'})

    const cheap = await ask({userId: 'u1', maxPrice: 1000})
    expect(cheap.reply!.items.length).toBeGreaterThan(0)
    expect(cheap.reply!.items.every((i) => i.price <= 1000)).toBe(true)
    const electronics = await ask({userId: 'u1', category: 'электроника', limit: 3})
    expect(electronics.reply!.items.map((i) => i.product_id)).toEqual(['12345', '12347', '12348'])
    const books = await ask({userId: 'u1', category: 'Книги', limit: 3})
    expect(books.reply!.items.map((i) => i.product_id)).toEqual(['12407', '12408', '12411']) // own list first, then popular in the category

    await addBans(profile, [{productId: '12348', reason: 'test'}], {topic: bans})
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const afterBan = await ask({userId: 'u1', category: 'Электроника', limit: 3})
    expect(afterBan.reply!.items.map((i) => i.product_id)).toEqual(['12345', '12347', '12350']) // banned before Spark runs again

    const stranger = await ask({userId: 'never-seen', limit: 2})
    expect(stranger.reply).toMatchObject({source: 'popular', items: [{product_id: '12414'}, {product_id: '12356'}]})
    const metrics = await recommender.metrics.registry.metrics()
    expect(metrics).toMatch(/mkt_recommend_requests_total\{source="als",worker="[^"]+"\} 5/)
  })

  it('mkt recommend --wait times out with exit 11 and says no recommender runs; bad flags are usage errors', async () => {
    const timedOut = await runCli(['recommend', '--user', 'u-timeout', '--wait', '--timeout', '1'], env)
    expect(timedOut.code).toBe(11)
    expect(timedOut.stderr).toMatch(
      /No reply to request [0-9a-f-]{36} within 1 s: no recommender is running \(consumer group mkt-recommender has no members\)\./,
    )
    expect(timedOut.stderr).toMatch(/mkt recommend serve/)

    const sent = await runCli(['recommend', '--user', 'u-fire-and-forget', '--json'], env)
    expect(sent.code).toBe(0)
    expect(sent.json<{request: {user_id: string; limit: number}}>().request).toMatchObject({user_id: 'u-fire-and-forget', limit: 10})

    for (const [args, message] of [
      [['recommend', '--user', 'u1', '--max-price', '-3'], /--max-price must be a price of 0 or more, got -3/],
      [['recommend', '--user', 'u1', '--limit', '500'], /--limit must be a whole number from 1 to 50, got 500/],
      [['recommend', '--user', 'a b'], /--user must be 1-64 letters/],
      [['view', '12345', '--user', ''], /--user must be 1-64 letters/],
    ] as Array<[string[], RegExp]>) {
      const result = await runCli(args, env)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(message)
    }
    const missingPython = await runCli(['analytics', 'run'], {...env, MKT_PYTHON: '/nonexistent/python'})
    expect(missingPython.code).toBe(5)
    expect(missingPython.stderr).toMatch(/cannot import the job's modules[\s\S]*mkt analytics setup/)
  })

  it('mkt recommend serve answers mkt recommend --wait, serves /healthz and /metrics, and stops cleanly on SIGTERM', async () => {
    const worker = startCli(['recommend', 'serve', '--metrics-port', '0'], {...env, MKT_LOG_LEVEL: 'info'})
    await worker.waitFor(/"msg":"serving metrics"/, 60_000, 'stderr')
    const port = /127\.0\.0\.1:(\d+)\/metrics/.exec(worker.stderr())![1]
    // /healthz says 503 until the recommender has caught up with the catalogue, the bans and the lists, then 200.
    const healthy = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status
    const deadline = Date.now() + 60_000
    while ((await healthy()) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    expect(await healthy()).toBe(200)

    const asked = await runCli(['recommend', '--user', 'u-cli', '--wait', '--timeout', '20', '--json'], env)
    expect(asked.code, asked.stderr).toBe(0)
    const {request, reply} = asked.json<{request: {request_id: string}; reply: {request_id: string; user_id: string; source: string}}>()
    expect(reply).toMatchObject({request_id: request.request_id, user_id: 'u-cli'})
    // At least ours; a new group also answers the requests of the last minute (the earlier tests' ones).
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/mkt_recommend_requests_total\{source="[a-z-]+",worker="[^"]+"\} [1-9]/)

    worker.child.kill('SIGTERM')
    expect(await worker.exited).toBe(0)
    expect(worker.stderr()).toMatch(/"msg":"stopped"/)
  })
})
