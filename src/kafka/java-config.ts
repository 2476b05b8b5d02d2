import type {Profile} from '../config/schema.js'
import {SASL_MECHANISMS} from './rd-config.js'

const LOGIN_MODULES = {
  plain: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'scram-sha-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'scram-sha-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
} as const

/**
 * A profile as the properties of a Java Kafka client (Kafka's command-line
 * tools, Connect, MirrorMaker 2). They hold the password: write them only to
 * a 0600 file, never to a command line.
 */
export function javaClientProperties(profile: Profile, prefix = ''): Record<string, string> {
  const tls = profile.tls?.enabled === true
  const sasl = profile.sasl
  const props: Record<string, string> = {
    'bootstrap.servers': profile.brokers.join(','),
    'security.protocol': tls ? (sasl ? 'SASL_SSL' : 'SSL') : sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT',
  }
  if (tls && profile.tls?.ca) Object.assign(props, {'ssl.truststore.type': 'PEM', 'ssl.truststore.location': profile.tls.ca})
  if (tls && profile.tls?.rejectUnauthorized === false) props['ssl.endpoint.identification.algorithm'] = ''
  if (sasl) {
    const quote = (v: string) => JSON.stringify(v) // JAAS takes double-quoted strings with backslash escapes
    props['sasl.mechanism'] = SASL_MECHANISMS[sasl.mechanism]
    props['sasl.jaas.config'] = `${LOGIN_MODULES[sasl.mechanism]} required username=${quote(sasl.username)} password=${quote(sasl.password)};`
  }
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [`${prefix}${k}`, v]))
}

/** Java .properties text: backslashes, and the characters that would end or split a value, escaped. */
export function propertiesText(props: Record<string, string>): string {
  const escape = (v: string) =>
    v
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/^\s/, (c) => `\\${c}`)
  return Object.entries(props)
    .map(([k, v]) => `${k}=${escape(v)}`)
    .join('\n')
    .concat('\n')
}
