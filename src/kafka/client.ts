import {setTimeout as sleep} from 'node:timers/promises'
import fs from 'node:fs'
import type {ConnectionOptions} from 'node:tls'

import {explainKafkaError, type Access} from './errors.js'
import type {Admin} from './kafkajs.js'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {debug} from '../log.js'

export interface ClientOptions {
  /** Appended to the profile's client id, so broker logs and quotas tell tools apart. */
  role?: string
  /** Fail fast for interactive commands; workers pass larger values. */
  retries?: number
  connectionTimeout?: number
  requestTimeout?: number
  /** What the call does, to name it when the brokers refuse it. */
  access?: Access
}

function readPem(file: string | undefined, what: string): string | undefined {
  if (!file) return undefined
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new MktError(
      `Cannot read the TLS ${what} file ${file}: ${(error as Error).message}.`,
      'Fix the path in the profile (tls section) or MKT_TLS_CA.',
      'config',
    )
  }
}

export function tlsOptions(profile: Profile): ConnectionOptions | undefined {
  if (!profile.tls?.enabled) return undefined
  const ca = readPem(profile.tls.ca, 'CA')
  const cert = readPem(profile.tls.cert, 'certificate')
  const key = readPem(profile.tls.key, 'key')
  return {
    rejectUnauthorized: profile.tls.rejectUnauthorized,
    ...(ca ? {ca: [ca]} : {}),
    ...(cert ? {cert} : {}),
    ...(key ? {key} : {}),
  }
}

/**
 * Runs fn with a connected admin client and always disconnects. kafkajs
 * keeps asking the broker it first reached, even after that broker died
 * (its metadata retries reuse the same connection), so a connection failure
 * runs fn again on a fresh client, which finds a live broker: one broker of
 * three dying must not fail a command. fn must be safe to repeat (every caller
 * reads, or reconciles towards a desired state).
 */
export async function withAdmin<T>(profile: Profile, fn: (admin: Admin) => Promise<T>, options: ClientOptions = {}): Promise<T> {
  // Loaded here, not at the top: kafkajs costs ~50 ms of process start, and most commands never need an admin client.
  const {createKafka} = await import('./kafkajs-client.js')
  for (let attempt = 1; ; attempt++) {
    const admin = createKafka(profile, {role: 'admin', ...options}).admin()
    try {
      await admin.connect()
      return await fn(admin)
    } catch (error) {
      const explained = explainKafkaError(error, profile, options.access)
      if (!(explained instanceof MktError && explained.code === 'unreachable') || attempt >= ADMIN_ATTEMPTS) throw explained
      debug('mkt:kafka', `admin request failed to reach a broker (${(error as Error).message}); retrying on a fresh client (${attempt}/${ADMIN_ATTEMPTS})`)
      await sleep(300 * attempt)
    } finally {
      await admin.disconnect().catch(() => {})
    }
  }
}

const ADMIN_ATTEMPTS = 3

/**
 * kafkajs's fetchTopicOffsets reads the first entry of a ListOffsets answer
 * without checking it is there; while a broker restarts, a leader moves or
 * a topic is being created the answer can be empty, and kafkajs throws a
 * TypeError instead of a retriable error (CI: a MirrorMaker 2 restart on
 * the analytics cluster). That state passes like a leader election does.
 */
export function isTransientOffsetsGap(error: unknown): boolean {
  return error instanceof TypeError && /destructure property 'partitions'/.test(error.message)
}

/**
 * Retries errors Kafka marks retriable, e.g. a broker whose metadata lags a
 * topic created a moment ago (UNKNOWN_TOPIC_OR_PARTITION on a 3-node cluster),
 * and kafkajs's empty-offsets TypeError (isTransientOffsetsGap).
 */
export async function retryRetriable<T>(fn: () => Promise<T>, attempts = 8, delayMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      const retriable = (error as {retriable?: boolean}).retriable || isTransientOffsetsGap(error)
      if (!retriable || attempt >= attempts) throw error
      await sleep(delayMs * attempt)
    }
  }
}

export {explainKafkaError}
