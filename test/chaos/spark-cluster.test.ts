import {execFile} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {describe, expect, inject, it} from 'vitest'

import {findPython, readCategoryStats, runAnalytics, type AnalyticsSummary} from '../../src/analytics/index.js'
import {viewEvent, VIEWS_TOPIC, type ViewEvent} from '../../src/client/views.js'
import {consumeTopic} from '../../src/consume/index.js'
import {EventSink} from '../../src/events/index.js'
import {hdfsShell, hdfsUri, readRuntimeState} from '../../src/infra/index.js'
import type {UserRecommendations} from '../../src/recommend/answer.js'
import {fromValues, sendCards} from '../../src/shop/index.js'
import {cards, seedAnalytics} from '../fixtures/analytics-data.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
const run = promisify(execFile)

/** What a run computed, without when it ran. */
const computed = (s: AnalyticsSummary) => {
  const {computed_at: _at, model_version: _model, seconds: _s, lake: _lake, ...rest} = s as AnalyticsSummary & {event?: string}
  return rest
}

async function lists(topic: string): Promise<Map<string, Pick<UserRecommendations, 'items' | 'source'>>> {
  const out = new Map<string, Pick<UserRecommendations, 'items' | 'source'>>()
  await consumeTopic(profile, topic, {
    onRecord: (r) => out.set(r.key!, {items: (r.value as UserRecommendations).items, source: (r.value as UserRecommendations).source}),
  })
  return out
}

async function stats(topic: string) {
  return (await readCategoryStats(profile, topic)).map(({computed_at: _at, ...rest}) => rest).sort((a, b) => (a.category < b.category ? -1 : 1))
}

/** Spark reading the archive back from HDFS: rows per table. */
async function sparkCounts(lake: string): Promise<Record<string, number>> {
  const {python} = await findPython()
  const script = [
    'import json, sys',
    'from pyspark.sql import SparkSession',
    "spark = SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false').getOrCreate()",
    "print(json.dumps({t: spark.read.parquet(sys.argv[1] + '/' + t).count() for t in ['products', 'searches', 'views', 'recommendation_requests']}))",
  ].join('\n')
  const {stdout} = await run(python, ['-c', script, lake], {timeout: 180_000, env: {...process.env, PYSPARK_PYTHON: python}})
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>
}

describe("the Spark job on the full stack's standalone cluster and HDFS lake", () => {
  it('writes what local mode writes on the same data, archives to HDFS (read back by Spark and by hdfs dfs), a rerun adds nothing, and a local run merges new data into the state it reads back from HDFS', async () => {
    const topics = await seedAnalytics(profile, 'ch-spark', 3)
    const [clusterStats, clusterRecs] = await Promise.all([
      freshTopic(profile, 'ch-spark-stats2', 3, {'cleanup.policy': 'compact'}, 3),
      freshTopic(profile, 'ch-spark-recs2', 3, {'cleanup.policy': 'compact'}, 3),
    ])
    const {dlq: _dlq, ...inputs} = topics

    const localLake = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-ch-lake-'))
    const local = await runAnalytics(profile, {master: 'local[2]', lake: localLake, topics: inputs})
    fs.rmSync(localLake, {recursive: true, force: true})

    const layout = readRuntimeState(stateDir)!.layout
    const lake = `${hdfsUri(layout)}/mkt/ch-${Date.now()}`
    const steps: string[] = []
    const cluster = await runAnalytics(profile, {
      master: 'cluster',
      lake,
      topics: {...inputs, stats: clusterStats, recommendations: clusterRecs},
      onProgress: (e) => e.type === 'done' && e.id === 'spark' && steps.push(e.detail ?? ''),
    })
    expect(steps[0]).toMatch(/Spark 4\.\d+\.\d+, 2 cores/) // the worker's cores, not this process's
    expect(computed(cluster)).toEqual(computed(local))
    expect(await stats(clusterStats)).toEqual(await stats(topics.stats))
    const [fromCluster, fromLocal] = await Promise.all([lists(clusterRecs), lists(topics.recommendations)])
    expect(fromCluster.size).toBe(fromLocal.size)
    for (const [user, list] of fromLocal) expect(fromCluster.get(user), user).toEqual(list)

    // Hadoop's own shell lists the archive: one partition per day and batch, Parquet files in them.
    const listing = await hdfsShell(stateDir, ['-ls', '-R', lake])
    expect(listing.code, listing.stderr).toBe(0)
    expect(listing.stdout).toMatch(/\/views\/date=\d{4}-\d{2}-\d{2}\/batch=1\/part-[^\s]+\.parquet/)
    expect(listing.stdout).toMatch(/\/searches\/date=2026-03-01\/batch=1\/part-[^\s]+\.parquet/)
    expect(listing.stdout).toMatch(/\/_commits\/00000001\.json/)
    const expected = {products: cluster.products, searches: cluster.searches, views: cluster.views, recommendation_requests: cluster.requests}
    expect(await sparkCounts(lake)).toEqual(expected)

    // A rerun with nothing new reads nothing and leaves the archive as it was.
    const rerun = await runAnalytics(profile, {master: 'cluster', lake, topics: {...inputs, stats: clusterStats, recommendations: clusterRecs}})
    expect(rerun).toMatchObject({batch: 2, read: {products: 0, bans: 0, searches: 0, views: 0, requests: 0}, views: cluster.views})
    // The same Parquet files as before (Spark counted their rows above), so the rerun added nothing.
    const files = (text: string) =>
      text
        .split('\n')
        .filter((l) => /\/(searches|views|recommendation_requests)\/.*\.parquet$/.test(l))
        .map((l) => l.split(/\s+/).at(-1))
    expect(files((await hdfsShell(stateDir, ['-ls', '-R', lake])).stdout)).toEqual(files(listing.stdout))

    // New data, and a run in local mode on the same HDFS lake: it merges the new card into the state it reads back
    // from HDFS. (Such a run once hung for good: local mode never offered its cores again to the tasks of HDFS blocks
    // that delay scheduling had held back.)
    await sendCards(profile, fromValues([{...cards[0]!, product_id: 'a09', sku: 'SKU-A09'}]), {topic: topics.products, dlqTopic: topics.dlq})
    const late = await EventSink.open<ViewEvent>(profile, {topic: topics.views, schemaTopic: VIEWS_TOPIC, key: (e) => e.user_id, role: 'test'})
    late.emit(viewEvent('u-late', 'a09', 'test'))
    await late.close()
    const incremental = await runAnalytics(profile, {
      master: 'local[2]',
      lake,
      topics: {...inputs, stats: clusterStats, recommendations: clusterRecs},
      signal: AbortSignal.timeout(300_000),
    })
    expect(incremental).toMatchObject({batch: 3, read: {products: 1, bans: 0, views: 1, searches: 0}, products: cluster.products + 1, views: cluster.views + 1})

    await hdfsShell(stateDir, ['-rm', '-r', '-skipTrash', lake])
  }, 900_000)
})
