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
/** Node's codes for a certificate chain that does not lead to a CA the client trusts. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
])

/** Kafka's authorisation error codes (the same numbers in kafkajs and librdkafka) and the resource kind each is about. */
const DENIED: Record<number, {kind: string; type: string}> = {
  29: {kind: 'topic', type: 'TOPIC_AUTHORIZATION_FAILED'},
  30: {kind: 'consumer group', type: 'GROUP_AUTHORIZATION_FAILED'},
  31: {kind: 'cluster', type: 'CLUSTER_AUTHORIZATION_FAILED'},
  53: {kind: 'transactional id', type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'},
}
const DENIED_TYPES = new Map(Object.entries(DENIED).map(([code, d]) => [d.type, Number(code)]))

/** What the failed call was doing, when the caller knows: the error itself rarely names the resource. */
export interface Access {
  /** e.g. "write", "read", "create". */
  operation: string
  /** What the whole call does, for when the failing resource is not known: e.g. "apply the topic spec". */
  action?: string
  topic?: string
  group?: string
  transactionalId?: string
}

/** The error and what it wraps (kafkajs: originalError, and the per-topic errors of an aggregate such as "Topic creation errors"). */
function chainOf(error: Error): Error[] {
  const chain: Error[] = []
  const visit = (e: unknown) => {
    if (!(e instanceof Error) || chain.length >= 12 || chain.includes(e)) return
    chain.push(e)
    const {errors, originalError, cause} = e as {errors?: unknown; originalError?: unknown; cause?: unknown}
    if (Array.isArray(errors)) for (const inner of errors) visit(inner)
    visit(originalError ?? cause)
  }
  visit(error)
  return chain
}

function who(profile: Profile): string {
  return profile.sasl ? `User "${profile.sasl.username}" (profile "${profile.name}")` : `The anonymous client of profile "${profile.name}"`
}

function unreachable(profile: Profile, cause: unknown): MktError {
  return new MktError(
    `Cannot reach the Kafka brokers ${profile.brokers.join(', ')} (profile "${profile.name}").`,
    'Start the local runtime with `mkt infra up`, or point --bootstrap-server / MKT_BROKERS at a running cluster.',
    'unreachable',
    {cause},
  )
}

function deniedCode(chain: Error[]): number | undefined {
  for (const e of chain) {
    const {code, type} = e as {code?: unknown; type?: unknown}
    if (typeof code === 'number' && DENIED[code]) return code
    if (typeof type === 'string' && DENIED_TYPES.has(type)) return DENIED_TYPES.get(type)
  }
  return undefined
}

function denied(code: number, profile: Profile, access: Access | undefined, cause: unknown): MktError {
  const {kind, type} = DENIED[code]!
  const names: Record<string, string | undefined> = {topic: access?.topic, 'consumer group': access?.group, 'transactional id': access?.transactionalId}
  const name = names[kind]
  const target = access?.topic ? `topic "${access.topic}"` : access?.group ? `consumer group "${access.group}"` : undefined
  let what: string
  if (access?.action) what = `${access.action}: no ${kind} ACL allows it`
  else if (kind === 'cluster') what = `${access?.operation ?? 'perform'} ${target ? `${target} (a cluster operation)` : 'this cluster operation'}`
  else if (name) what = `${access!.operation} ${kind} "${name}"`
  else if (access && target) what = `use the ${kind} needed to ${access.operation} ${target}`
  else what = `use this ${kind}`
  const principal = profile.sasl?.username
  return new MktError(
    `${who(profile)} is not allowed to ${what} (${type}).`,
    principal
      ? `compose/acls.yaml says what each principal may do (\`mkt acl list\`); grant it there and run \`mkt acl apply\`, or use the principal meant for this (--profile ${profile.name.split(':')[0]}:<principal>).`
      : 'The cluster requires authentication: use a profile with SASL credentials.',
    'denied',
    {cause},
  )
}

/** Topics that do not exist (requireTopics has ruled out an ACL that hides them). */
export function topicsNotFound(topics: string[], profile: Profile, hint: string): MktError {
  return new MktError(`No topic named ${topics.map((t) => `"${t}"`).join(' or ')} on ${profile.brokers.join(',')}.`, hint, 'notFound')
}

/**
 * Turns a Kafka client's failures (kafkajs or librdkafka) into one clear
 * sentence: unreachable brokers, rejected credentials, an untrusted or
 * mismatched certificate, and each authorisation failure with the principal
 * and, when the caller says, the operation and resource.
 */
export function explainKafkaError(error: unknown, profile: Profile, access?: Access): unknown {
  if (!(error instanceof Error) || error instanceof MktError) return error
  const chain = chainOf(error)
  const codes = chain.map((e) => (e as {code?: unknown}).code)
  const numeric = codes.filter((c): c is number => typeof c === 'number')
  const names = chain.map((e) => e.name)
  const messages = chain.map((e) => e.message).join(' | ')

  const deny = deniedCode(chain)
  if (deny !== undefined) return denied(deny, profile, access, error)
  if (numeric.some((c) => RD_AUTH_ERRORS.has(c)) || names.includes('KafkaJSSASLAuthenticationError')) {
    return new MktError(
      `The brokers refused the credentials of user "${profile.sasl?.username}" (profile "${profile.name}"): wrong password or unknown user.`,
      profile.name.includes(':') || profile.runtime === 'local'
        ? 'For the local runtime the profiles read their passwords from <state-dir>/secrets; `mkt users list` shows the users, `mkt users rotate NAME` sets a new password.'
        : 'Check the sasl section of the profile or MKT_SASL_USERNAME / MKT_SASL_PASSWORD.',
      'authentication',
      {cause: error},
    )
  }
  const tlsHost = codes.includes('ERR_TLS_CERT_ALTNAME_INVALID') || /hostname mismatch|altname/i.test(messages)
  if (tlsHost) {
    return new MktError(
      `The broker's certificate is not issued for the address in the profile (${profile.brokers.join(', ')}): host name mismatch.`,
      'Connect by a name or IP the certificate lists (`mkt certs show` prints its SANs), or reissue it with `mkt certs create --host NAME --force` and restart the brokers.',
      'authentication',
      {cause: error},
    )
  }
  if (codes.some((c) => typeof c === 'string' && UNTRUSTED.has(c)) || /certificate verify failed|self[- ]signed certificate/i.test(messages)) {
    return new MktError(
      `The client does not trust the brokers' certificate (profile "${profile.name}"): it is not signed by a CA the profile trusts.`,
      'Point tls.ca in the profile (or MKT_TLS_CA) at the cluster CA, for the local runtime <state-dir>/certs/ca.pem.',
      'authentication',
      {cause: error},
    )
  }
  if (/wrong version number|packet length too long|unknown protocol/i.test(messages)) {
    return new MktError(
      `The brokers ${profile.brokers.join(', ')} do not speak TLS, but profile "${profile.name}" uses it.`,
      'Turn tls off in the profile (MKT_TLS=false) for a plaintext listener, or use the TLS listener.',
      'authentication',
      {cause: error},
    )
  }
  if (numeric.some((c) => RD_CONNECTION_ERRORS.has(c))) return unreachable(profile, error)
  if (names.some((n) => KAFKAJS_CONNECTION_ERRORS.has(n)) && chain.some((e) => /connect|ECONNREFUSED|timeout|closed|ENOTFOUND|EHOSTUNREACH/i.test(e.message)))
    return unreachable(profile, error)
  return error
}
