import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {BANS_TOPIC} from '../bans/ban.js'
import {VIEWS_TOPIC} from '../client/views.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {checkJava} from '../infra/prerequisites.js'
import type {ProgressListener} from '../infra/local-runtime.js'
import {withAdmin} from '../kafka/client.js'
import {requireTopics} from '../kafka/topics-visible.js'
import {packageRoot} from '../package-root.js'
import {RECOMMENDATIONS_TOPIC, REQUESTS_TOPIC} from '../recommend/request.js'
import {topicValueSchema} from '../schema/subjects.js'
import {SEARCHES_TOPIC} from '../search/events.js'
import {CATALOG_TOPIC} from '../catalog/feed.js'
import {findPython} from './python.js'
import {TOPICS} from '../topics/names.js'

export const STATS_TOPIC = TOPICS.categoryStats

export interface AnalyticsTopics {
  products: string
  bans: string
  searches: string
  views: string
  requests: string
  stats: string
  recommendations: string
}

export const DEFAULT_TOPICS: AnalyticsTopics = {
  products: CATALOG_TOPIC,
  bans: BANS_TOPIC,
  searches: SEARCHES_TOPIC,
  views: VIEWS_TOPIC,
  requests: REQUESTS_TOPIC,
  stats: STATS_TOPIC,
  recommendations: RECOMMENDATIONS_TOPIC,
}

export interface AnalyticsOptions {
  /** Spark master: local[*] by default, spark://host:7077 for a cluster. */
  master?: string
  /** Where the Parquet archive goes (a directory, file:// or hdfs:// URI). */
  lake?: string
  topics?: Partial<AnalyticsTopics>
  /** Recommendations kept per user. */
  topN?: number
  /**
   * Read the catalogue, the bans and the events from this cluster instead
   * (the full stack's analytics cluster, fed by MirrorMaker 2), under these
   * names (main.<topic>); the results are still written to the profile's.
   */
  source?: {profile: Profile; remoteName: (topic: string) => string}
  onProgress?: ProgressListener
}

export interface AnalyticsSummary {
  computed_at: string
  model_version: string
  products: number
  banned: number
  searches: number
  views: number
  requests: number
  categories: number
  recommendations: number
  users: number
  interactions: number
  als_users: number
  category_fallback_users: number
  popular_fallback_users: number
  lake: string
  seconds: number
}

export function defaultLake(profile: Profile): string {
  return `file://${path.join(profile.stateDir, 'lake')}`
}

function lakeUri(lake: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(lake) ? lake : `file://${path.resolve(lake)}`
}

/**
 * `mkt analytics run`: registers the output schemas, then runs
 * spark/analytics_job.py with the profile's connection settings and reports
 * its progress lines; resolves with its summary.
 */
export async function runAnalytics(profile: Profile, options: AnalyticsOptions = {}): Promise<AnalyticsSummary> {
  const onProgress = options.onProgress ?? (() => {})
  const given = {...DEFAULT_TOPICS, ...options.topics}
  const source = options.source
  const read = ['products', 'bans', 'searches', 'views', 'requests'] as const
  const topics: AnalyticsTopics = source ? {...given, ...Object.fromEntries(read.map((k) => [k, source.remoteName(given[k])]))} : given
  const [{python}] = await Promise.all([findPython(), checkJava(17)])
  await withAdmin(
    profile,
    (admin) =>
      requireTopics(
        admin,
        profile,
        source ? [topics.stats, topics.recommendations] : Object.values(topics),
        'read',
        'The analytics job needs them: create the platform topics with `mkt topics apply`.',
      ),
    {role: 'analytics'},
  )
  if (source)
    await withAdmin(
      source.profile,
      (admin) =>
        requireTopics(
          admin,
          source.profile,
          read.map((k) => topics[k]),
          'read',
          'MirrorMaker 2 creates them on the analytics cluster within seconds of starting: check `mkt mirror status`.',
        ),
      {role: 'analytics'},
    )
  const [stats, recommendations] = await Promise.all([
    topicValueSchema(profile, topics.stats, STATS_TOPIC),
    topicValueSchema(profile, topics.recommendations, RECOMMENDATIONS_TOPIC),
  ])

  const lake = lakeUri(options.lake ?? defaultLake(profile))
  const config = {
    brokers: profile.brokers,
    ...(profile.sasl ? {sasl: profile.sasl} : {}),
    ...(profile.tls ? {tls: profile.tls} : {}),
    registry: profile.schemaRegistry,
    topics,
    ...(source
      ? {
          source: {
            brokers: source.profile.brokers,
            ...(source.profile.sasl ? {sasl: source.profile.sasl} : {}),
            ...(source.profile.tls ? {tls: source.profile.tls} : {}),
          },
        }
      : {}),
    outputs: {
      stats: {schema_id: stats.id, schema: stats.type.schema()},
      recommendations: {schema_id: recommendations.id, schema: recommendations.type.schema()},
    },
    master: options.master ?? 'local[*]',
    lake,
    top_n: options.topN ?? 50,
  }
  // The config holds credentials: a private file, deleted afterwards.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-analytics-'))
  const configFile = path.join(dir, 'config.json')
  fs.writeFileSync(configFile, JSON.stringify(config), {mode: 0o600})
  try {
    return await new Promise<AnalyticsSummary>((resolve, reject) => {
      const child = spawn(python, [path.join(packageRoot(), 'spark', 'analytics_job.py'), configFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {...process.env, PYSPARK_PYTHON: python},
      })
      let summary: AnalyticsSummary | undefined
      let stderr = ''
      let buffered = ''
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop()!
        for (const line of lines) {
          let event: {event: string; step?: string; label?: string; detail?: string; seconds?: number} & Partial<AnalyticsSummary>
          try {
            event = JSON.parse(line) as typeof event
          } catch {
            continue // a stray print from a library
          }
          if (event.event === 'start') onProgress({type: 'start', id: event.step!, label: event.label!})
          else if (event.event === 'done') onProgress({type: 'done', id: event.step!, detail: [event.detail, `${event.seconds}s`].filter(Boolean).join(', ')})
          else if (event.event === 'summary') summary = event as AnalyticsSummary
        }
      })
      child.stderr.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString()}`.slice(-20_000)))
      child.on('error', reject)
      child.on('close', (code) => {
        if (code === 0 && summary) return resolve(summary)
        const lines = stderr.split('\n').filter((l) => l.trim() && !/^\s+at |^\s*\.\.\. \d+ more/.test(l))
        const reason = lines.filter((l) => /Error|error|Exception|SystemExit/.test(l)).at(-1) ?? lines.at(-1) ?? 'no output'
        reject(
          new MktError(
            `The Spark analytics job failed (exit ${code}): ${reason.trim()}`,
            'Run again with DEBUG=mkt* to see its whole output; check the brokers with `mkt status`.',
            'jobFailed',
            {cause: new Error(stderr)},
          ),
        )
      })
    })
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

/** "90s", "5m", "1h", "1h30m" → milliseconds. */
export function parseDuration(text: string, flag = '--every'): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h)/g)]
  const joined = parts.map((p) => p[0]).join('')
  if (parts.length === 0 || joined.replaceAll(/\s/g, '') !== text.replaceAll(/\s/g, ''))
    throw new MktError(`${flag} must be a duration such as 90s, 5m or 1h30m, got "${text}".`, `For example ${flag} 10m.`, 'usage')
  const unit = {ms: 1, s: 1000, m: 60_000, h: 3_600_000} as const
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0)
  if (ms < 1000) throw new MktError(`${flag} must be at least 1s, got "${text}".`, `For example ${flag} 10m.`, 'usage')
  return ms
}
