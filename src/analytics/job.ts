import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {BANS_TOPIC} from '../bans/ban.js'
import {VIEWS_TOPIC} from '../client/views.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {checkJava} from '../infra/prerequisites.js'
import type {ProgressListener} from '../progress.js'
import {resolveArtifact} from '../infra/artifacts.js'
import {hdfsClientConf, hdfsUri, sparkClusterConf, sparkMasterUrl} from '../infra/graph.js'
import {readRuntimeState} from '../infra/state.js'
import {retryRetriable, withAdmin} from '../kafka/client.js'
import {javaClientProperties} from '../kafka/java-config.js'
import type {Admin} from '../kafka/kafkajs.js'
import {requireTopics} from '../kafka/topics-visible.js'
import {packageRoot} from '../package-root.js'
import {RECOMMENDATIONS_TOPIC, REQUESTS_TOPIC} from '../recommend/request.js'
import {bundledSchema} from '../schema/avro.js'
import {topicValueSchema} from '../schema/subjects.js'
import {loadTopicSpec} from '../topics/spec.js'
import {SEARCHES_TOPIC} from '../search/events.js'
import {CATALOG_TOPIC} from '../catalog/feed.js'
import {findPython} from '../pyspark/env.js'
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
  /** Spark master: local[*] by default, spark://host:7077 for a cluster, `cluster` for the full stack's own. */
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
  /** Ignore the lake's last commit: read every topic from the start and rebuild the state and the archive. */
  full?: boolean
  /** Stops the job (its whole process group); it has then committed nothing. */
  signal?: AbortSignal
  /** Memory per executor on a cluster (Spark's spark.executor.memory). */
  executorMemory?: string
  onProgress?: ProgressListener
}

/** What one run read from each input: records since the last commit. */
export interface ReadCounts {
  products: number
  bans: number
  searches: number
  views: number
  requests: number
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
  /** The run's number in the lake (1 for the first run on it). */
  batch: number
  read: ReadCounts
  lake: string
  seconds: number
}

/** The lake: HDFS when the profile's local runtime runs the full stack (its namenode), else a directory in the state dir. */
export function defaultLake(profile: Profile): string {
  const layout = readRuntimeState(profile.stateDir)?.layout
  if (layout?.stack === 'full') return `${hdfsUri(layout)}/mkt/lake`
  return `file://${path.join(profile.stateDir, 'lake')}`
}

/**
 * Spark settings the profile's full-stack runtime asks for: its HDFS client
 * settings (one DataNode: replication 1) and, on its cluster, the driver on
 * the runtime's host so that the executors reach it.
 */
function runtimeSparkConf(profile: Profile, master: string): Record<string, string> {
  const layout = readRuntimeState(profile.stateDir)?.layout
  if (layout?.stack !== 'full') return {}
  if (master !== sparkMasterUrl(layout)) return Object.fromEntries(Object.entries(hdfsClientConf(layout)).map(([k, v]) => [`spark.hadoop.${k}`, v]))
  const {'spark.master': _master, ...conf} = sparkClusterConf(layout)
  return conf
}

/** `--master cluster`: the standalone master of the profile's full-stack runtime. */
export function resolveMaster(profile: Profile, master: string): string {
  if (master !== 'cluster') return master
  const layout = readRuntimeState(profile.stateDir)?.layout
  if (layout?.stack !== 'full')
    throw new MktError(
      `--master cluster needs the full stack's Spark cluster, and the runtime in ${profile.stateDir} does not run one.`,
      'Start it with `mkt infra up --stack full`, or give a master URL (spark://host:7077) or local[N].',
      'usage',
    )
  return sparkMasterUrl(layout)
}

/** The reader schema of each input: the bundled schema the topic spec names for the platform topic it stands for. */
function readerSchemas(): Record<'products' | 'searches' | 'views' | 'requests', string> {
  const spec = loadTopicSpec()
  const text = (topic: string) => {
    const file = spec.topics.find((t) => t.name === topic)?.valueSchema
    if (!file) throw new MktError(`The topic spec names no value schema for "${topic}".`, 'Add valueSchema to its entry in compose/topics.yaml.', 'config')
    return bundledSchema(file).text
  }
  return {products: text(CATALOG_TOPIC), searches: text(SEARCHES_TOPIC), views: text(VIEWS_TOPIC), requests: text(REQUESTS_TOPIC)}
}

/** Each topic's end offsets now (the last stable offset: an open transaction's records are not read): what this run covers. */
async function endOffsets(admin: Admin, topics: string[]): Promise<Record<string, Record<string, number>>> {
  const entries = await Promise.all(
    topics.map(async (topic) => {
      const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic))
      return [topic, Object.fromEntries(offsets.map((o) => [String(o.partition), Number(o.high)]))] as const
    }),
  )
  return Object.fromEntries(entries)
}

/** Spark's Kafka connector and Avro functions, from Maven Central (cached). */
async function sparkJars(): Promise<string[]> {
  const {dir} = await resolveArtifact('sparkKafka')
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => path.join(dir, f))
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
  const [{python}, jars] = await Promise.all([findPython(), sparkJars(), checkJava(17)])
  const inputs = read.map((k) => topics[k])
  const mainOffsets = await withAdmin(
    profile,
    async (admin) => {
      await requireTopics(
        admin,
        profile,
        source ? [topics.stats, topics.recommendations] : Object.values(topics),
        'read',
        'The analytics job needs them: create the platform topics with `mkt topics apply`.',
      )
      return source ? {} : endOffsets(admin, inputs)
    },
    {role: 'analytics'},
  )
  const offsets = source
    ? await withAdmin(
        source.profile,
        async (admin) => {
          await requireTopics(
            admin,
            source.profile,
            inputs,
            'read',
            'MirrorMaker 2 creates them on the analytics cluster within seconds of starting: check `mkt mirror status`.',
          )
          return endOffsets(admin, inputs)
        },
        {role: 'analytics'},
      )
    : mainOffsets
  const [stats, recommendations] = await Promise.all([
    topicValueSchema(profile, topics.stats, STATS_TOPIC),
    topicValueSchema(profile, topics.recommendations, RECOMMENDATIONS_TOPIC),
  ])

  const lake = lakeUri(options.lake ?? defaultLake(profile))
  const master = resolveMaster(profile, options.master ?? 'local[*]')
  const config = {
    // Java client properties for Spark's Kafka source (the cluster read from) and sink (the profile's).
    source: javaClientProperties(source?.profile ?? profile),
    sink_client: javaClientProperties(profile),
    registry: profile.schemaRegistry,
    topics,
    offsets,
    readers: readerSchemas(),
    jars,
    outputs: {
      stats: {schema_id: stats.id, schema: stats.type.schema()},
      recommendations: {schema_id: recommendations.id, schema: recommendations.type.schema()},
    },
    master,
    spark_conf: runtimeSparkConf(profile, master),
    ...(options.executorMemory ? {executor_memory: options.executorMemory} : {}),
    lake,
    top_n: options.topN ?? 50,
    full: options.full === true,
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
        // Its own process group: stopping the job stops its Spark JVM and Python workers with it.
        detached: true,
      })
      const stop = () => {
        try {
          process.kill(-child.pid!, 'SIGTERM')
        } catch {}
      }
      if (options.signal?.aborted) stop()
      options.signal?.addEventListener('abort', stop, {once: true})
      child.on('close', () => options.signal?.removeEventListener('abort', stop))
      let summary: AnalyticsSummary | undefined
      let stderr = ''
      let buffered = ''
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop()!
        for (const line of lines) {
          let event: {event: string; step?: string; label?: string; detail?: string; message?: string; seconds?: number} & Partial<AnalyticsSummary>
          try {
            event = JSON.parse(line) as typeof event
          } catch {
            continue // a stray print from a library
          }
          if (event.event === 'start') onProgress({type: 'start', id: event.step!, label: event.label!})
          else if (event.event === 'done') onProgress({type: 'done', id: event.step!, detail: [event.detail, `${event.seconds}s`].filter(Boolean).join(', ')})
          else if (event.event === 'note') onProgress({type: 'note', message: event.message!})
          else if (event.event === 'summary') summary = event as AnalyticsSummary
        }
      })
      child.stderr.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString()}`.slice(-20_000)))
      child.on('error', reject)
      child.on('close', (code, signal) => {
        if (code === 0 && summary) return resolve(summary)
        if (options.signal?.aborted)
          return reject(
            new MktError(
              `The Spark analytics job was stopped (${signal ?? `exit ${code}`}) before it committed; the lake is as the last run left it.`,
              'Run it again: it redoes this run from the last commit.',
              'jobFailed',
            ),
          )
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
