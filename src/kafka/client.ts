import {setTimeout as sleep} from 'node:timers/promises'
import fs from 'node:fs'
import type {ConnectionOptions} from 'node:tls'

import {registerLz4} from './compression.js'
import {Kafka, logLevel, type Admin, type KafkaClient, type KafkaConfig, type SASLOptions} from './kafkajs.js'

import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {debug, debugEnabled} from '../log.js'

export interface ClientOptions {
  /** Appended to the profile's client id, so broker logs and quotas tell tools apart. */
  role?: string
  /** Fail fast for interactive commands; workers pass larger values. */
  retries?: number
  connectionTimeout?: number
  requestTimeout?: number
}

function readPem(file: string | undefined, what: string): string | undefined {
  if (!file) return undefined
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new MktError(`Cannot read the TLS ${what} file ${file}: ${(error as Error).message}.`, 'Fix the path in the profile (tls section) or MKT_TLS_CA.', 'config')
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

function saslOptions(profile: Profile): SASLOptions | undefined {
  const sasl = profile.sasl
  if (!sasl) return undefined
  return {mechanism: sasl.mechanism, username: sasl.username, password: sasl.password} as SASLOptions
}

/**
 * The one place a Kafka client is built. Every capability gets its client from
 * here, so TLS, SASL and timeouts follow the profile everywhere.
 */
export function createKafka(profile: Profile, options: ClientOptions = {}): KafkaClient {
  registerLz4() // any client may meet LZ4 batches (ours, or a Java producer's)
  const ssl = tlsOptions(profile)
  const sasl = saslOptions(profile)
  const config: KafkaConfig = {
    clientId: options.role ? `${profile.clientId}-${options.role}` : profile.clientId,
    brokers: profile.brokers,
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout ?? 30_000,
    retry: {retries: options.retries ?? 3, initialRetryTime: 200, maxRetryTime: 2000},
    logLevel: debugEnabled('mkt:kafkajs') ? logLevel.DEBUG : logLevel.INFO,
    logCreator: () => ({namespace, level, log}) => {
      const {message, ...rest} = log
      debug(`mkt:kafkajs:${namespace || 'client'}`, `[${logLevel[level]}] ${message}`, rest)
    },
    ...(ssl ? {ssl} : {}),
    ...(sasl ? {sasl} : {}),
  }
  return new Kafka(config)
}

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNonRetriableError',
])

/** Turns kafkajs connection failures into one clear sentence naming the brokers. */
export function explainKafkaError(error: unknown, profile: Profile): unknown {
  if (!(error instanceof Error)) return error
  const chain: Error[] = []
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = (e as {cause?: unknown; originalError?: unknown}).originalError ?? (e as {cause?: unknown}).cause) chain.push(e)
  const names = chain.map((e) => e.name)
  if (names.some((n) => CONNECTION_ERRORS.has(n)) && chain.some((e) => /connect|ECONNREFUSED|timeout|closed|ENOTFOUND|EHOSTUNREACH/i.test(e.message))) {
    return new MktError(
      `Cannot reach the Kafka brokers ${profile.brokers.join(', ')} (profile "${profile.name}").`,
      'Start the local runtime with `mkt infra up`, or point --bootstrap-server / MKT_BROKERS at a running cluster.',
      'unreachable',
      {cause: error},
    )
  }
  if (names.includes('KafkaJSSASLAuthenticationError')) {
    return new MktError(`The brokers rejected the SASL credentials of user "${profile.sasl?.username}".`, 'Check the sasl section of the profile or MKT_SASL_USERNAME / MKT_SASL_PASSWORD.', 'config', {cause: error})
  }
  return error
}

/** Runs fn with a connected admin client and always disconnects. */
export async function withAdmin<T>(profile: Profile, fn: (admin: Admin) => Promise<T>, options: ClientOptions = {}): Promise<T> {
  const admin = createKafka(profile, {role: 'admin', ...options}).admin()
  try {
    await admin.connect()
    return await fn(admin)
  } catch (error) {
    throw explainKafkaError(error, profile)
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

/**
 * Retries errors Kafka marks retriable, e.g. a broker whose metadata lags a
 * topic created a moment ago (UNKNOWN_TOPIC_OR_PARTITION on a 3-node cluster).
 */
export async function retryRetriable<T>(fn: () => Promise<T>, attempts = 8, delayMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      if (!(error as {retriable?: boolean}).retriable || attempt >= attempts) throw error
      await sleep(delayMs * attempt)
    }
  }
}
