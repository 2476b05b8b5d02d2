import {describe, expect, it} from 'vitest'

import type {Profile} from '../../src/config/schema.js'
import {rdkafkaConfig} from '../../src/kafka/rd-config.js'

const base: Profile = {
  name: 'p',
  brokers: ['k1:9093', 'k2:9093'],
  schemaRegistry: {url: 'http://r:8081'},
  stateDir: '/tmp/s',
  clientId: 'mkt',
  searchUrl: 'http://127.0.0.1:9410',
}

describe('librdkafka settings from a profile', () => {
  it('plaintext without TLS or SASL, client id per role', () => {
    expect(rdkafkaConfig(base, 'shop')).toMatchObject({'bootstrap.servers': 'k1:9093,k2:9093', 'client.id': 'mkt-shop', 'security.protocol': 'plaintext'})
  })

  it('SASL_SSL with SCRAM-SHA-512, the CA and a client certificate', () => {
    const config = rdkafkaConfig(
      {
        ...base,
        tls: {enabled: true, ca: '/c/ca.pem', cert: '/c/me.pem', key: '/c/me.key', rejectUnauthorized: true},
        sasl: {mechanism: 'scram-sha-512', username: 'shop', password: 's3cret'},
      },
      'shop',
    )
    expect(config).toMatchObject({
      'security.protocol': 'sasl_ssl',
      'ssl.ca.location': '/c/ca.pem',
      'ssl.certificate.location': '/c/me.pem',
      'ssl.key.location': '/c/me.key',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'shop',
      'sasl.password': 's3cret',
    })
    expect(config).not.toHaveProperty('enable.ssl.certificate.verification')
  })

  it('TLS without verification only when the profile says so; SASL without TLS is sasl_plaintext', () => {
    expect(rdkafkaConfig({...base, tls: {enabled: true, rejectUnauthorized: false}}, 'x')).toMatchObject({
      'security.protocol': 'ssl',
      'enable.ssl.certificate.verification': false,
      'ssl.endpoint.identification.algorithm': 'none',
    })
    expect(rdkafkaConfig({...base, sasl: {mechanism: 'plain', username: 'u', password: 'p'}}, 'x')).toMatchObject({
      'security.protocol': 'sasl_plaintext',
      'sasl.mechanisms': 'PLAIN',
    })
  })
})
