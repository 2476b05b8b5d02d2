import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {ERR} from './rdkafka.js'

const KAFKAJS_CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNonRetriableError',
])

/** librdkafka codes that mean "no broker answered" when they end a connect or a request. */
const RD_CONNECTION_ERRORS = new Set<number>([ERR.ERR__TRANSPORT, ERR.ERR__ALL_BROKERS_DOWN, ERR.ERR__TIMED_OUT, ERR.ERR__RESOLVE])
const RD_AUTH_ERRORS = new Set<number>([ERR.ERR__AUTHENTICATION, ERR.ERR_SASL_AUTHENTICATION_FAILED])

function chainOf(error: Error): Error[] {
  const chain: Error[] = []
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = (e as {originalError?: unknown}).originalError ?? (e as {cause?: unknown}).cause)
    chain.push(e)
  return chain
}

function unreachable(profile: Profile, cause: unknown): MktError {
  return new MktError(
    `Cannot reach the Kafka brokers ${profile.brokers.join(', ')} (profile "${profile.name}").`,
    'Start the local runtime with `mkt infra up`, or point --bootstrap-server / MKT_BROKERS at a running cluster.',
    'unreachable',
    {cause},
  )
}

/** Turns a Kafka client's connection and authentication failures (kafkajs or librdkafka) into one clear sentence. */
export function explainKafkaError(error: unknown, profile: Profile): unknown {
  if (!(error instanceof Error) || error instanceof MktError) return error
  const chain = chainOf(error)
  const codes = chain.map((e) => (e as {code?: unknown}).code).filter((c): c is number => typeof c === 'number')
  const names = chain.map((e) => e.name)
  if (codes.some((c) => RD_AUTH_ERRORS.has(c)) || names.includes('KafkaJSSASLAuthenticationError')) {
    return new MktError(
      `The brokers rejected the SASL credentials of user "${profile.sasl?.username}".`,
      'Check the sasl section of the profile or MKT_SASL_USERNAME / MKT_SASL_PASSWORD.',
      'config',
      {cause: error},
    )
  }
  if (codes.some((c) => RD_CONNECTION_ERRORS.has(c))) return unreachable(profile, error)
  if (names.some((n) => KAFKAJS_CONNECTION_ERRORS.has(n)) && chain.some((e) => /connect|ECONNREFUSED|timeout|closed|ENOTFOUND|EHOSTUNREACH/i.test(e.message)))
    return unreachable(profile, error)
  return error
}
