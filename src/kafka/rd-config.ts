import type {Profile} from '../config/schema.js'
import {debugEnabled} from '../log.js'
import type {RdConfig} from './rdkafka.js'

/** The profile's mechanism as Kafka clients spell it. */
export const SASL_MECHANISMS = {plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512'} as const

/**
 * The librdkafka settings of a profile: brokers, TLS and SASL, the same for
 * every producer and consumer. Secrets stay in memory (no command line, no file).
 */
export function rdkafkaConfig(profile: Profile, role: string): RdConfig {
  const tls = profile.tls?.enabled === true
  const sasl = profile.sasl
  const config: RdConfig = {
    'bootstrap.servers': profile.brokers.join(','),
    'client.id': `${profile.clientId}-${role}`,
    'security.protocol': tls ? (sasl ? 'sasl_ssl' : 'ssl') : sasl ? 'sasl_plaintext' : 'plaintext',
    'socket.keepalive.enable': true,
    // TCP_NODELAY, as the Java client sets it: with Nagle on, a small produce request or reply waits for the
    // previous one's delayed ACK (about 40 ms) — the gateway's batches of 100 took 41 ms at p50, 27 ms without.
    'socket.nagle.disable': true,
    // Reconnect quickly to a broker that comes back (librdkafka backs off up to 10 s by default).
    'reconnect.backoff.max.ms': 1000,
    log_level: debugEnabled('mkt:rdkafka') ? 7 : 3,
  }
  // librdkafka's own trace (its `debug` contexts, e.g. cgrp,eos,fetch), as kcat -d gives it: for a stall no log of ours explains.
  const trace = process.env.MKT_RDKAFKA_DEBUG
  if (trace) Object.assign(config, {debug: trace, event_cb: true})
  if (tls) {
    if (profile.tls?.ca) config['ssl.ca.location'] = profile.tls.ca
    if (profile.tls?.cert) config['ssl.certificate.location'] = profile.tls.cert
    if (profile.tls?.key) config['ssl.key.location'] = profile.tls.key
    if (profile.tls?.rejectUnauthorized === false) {
      config['enable.ssl.certificate.verification'] = false
      config['ssl.endpoint.identification.algorithm'] = 'none'
    }
  }
  if (sasl) {
    config['sasl.mechanisms'] = SASL_MECHANISMS[sasl.mechanism]
    config['sasl.username'] = sasl.username
    config['sasl.password'] = sasl.password
  }
  return config
}

/** Prints librdkafka's trace lines (MKT_RDKAFKA_DEBUG) to stderr, one per line, tagged with the client's role. */
export function traceRdkafka(client: {on(event: 'event.log', listener: (log: {fac: string; message: string}) => void): unknown}, role: string): void {
  if (!process.env.MKT_RDKAFKA_DEBUG) return
  client.on('event.log', (log) => process.stderr.write(`rdkafka ${role} ${new Date().toISOString()} ${log.fac} ${log.message}\n`))
}
