import type {Profile} from '../config/schema.js'
import {debug, debugEnabled} from '../log.js'
import {tlsOptions, type ClientOptions} from './client.js'
import {Kafka, logLevel, type KafkaClient, type KafkaConfig, type SASLOptions} from './kafkajs.js'

function saslOptions(profile: Profile): SASLOptions | undefined {
  const sasl = profile.sasl
  if (!sasl) return undefined
  return {mechanism: sasl.mechanism, username: sasl.username, password: sasl.password} as SASLOptions
}

/**
 * The kafkajs client, for admin requests only (topic configs, offsets, groups,
 * later ACLs), which librdkafka's JavaScript API does not all offer. Every
 * produce and consume path uses librdkafka (producer.ts, reader.ts, group.ts).
 */
export function createKafka(profile: Profile, options: ClientOptions = {}): KafkaClient {
  const ssl = tlsOptions(profile)
  const sasl = saslOptions(profile)
  const config: KafkaConfig = {
    clientId: options.role ? `${profile.clientId}-${options.role}` : profile.clientId,
    brokers: profile.brokers,
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout ?? 30_000,
    retry: {retries: options.retries ?? 3, initialRetryTime: 200, maxRetryTime: 2000},
    logLevel: debugEnabled('mkt:kafkajs') ? logLevel.DEBUG : logLevel.INFO,
    logCreator:
      () =>
      ({namespace, level, log}) => {
        const {message, ...rest} = log
        debug(`mkt:kafkajs:${namespace || 'client'}`, `[${logLevel[level]}] ${message}`, rest)
      },
    ...(ssl ? {ssl} : {}),
    ...(sasl ? {sasl} : {}),
  }
  return new Kafka(config)
}
