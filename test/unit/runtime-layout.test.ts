import {describe, expect, it} from 'vitest'

import {bootstrapServers, buildServiceGraph, DEFAULT_LAYOUT, startOrder, type RuntimeLayout} from '../../src/infra/graph.js'
import {newClusterId, serverProperties} from '../../src/infra/kafka-node.js'
import {planLayout} from '../../src/infra/local-runtime.js'

const layout = (brokers: 1 | 3): RuntimeLayout => ({
  ...DEFAULT_LAYOUT,
  brokers,
  host: '127.0.0.1',
  kafkaPort: 9092,
  registryPort: 8081,
  stateDir: '/s',
  security: 'plaintext',
})

describe('service graph and node configs', () => {
  it('gives each broker a client, a controller and an exporter port and starts brokers before the registry', () => {
    const graph = buildServiceGraph(layout(3))
    expect(graph.map((n) => [n.name, n.ports])).toEqual([
      ['kafka-1', {client: 9092, controller: 9093, metrics: 7071}],
      ['kafka-2', {client: 9094, controller: 9095, metrics: 7072}],
      ['kafka-3', {client: 9096, controller: 9097, metrics: 7073}],
      ['registry', {http: 8081}],
    ])
    expect(startOrder(graph).map((wave) => wave.map((n) => n.name))).toEqual([['kafka-1', 'kafka-2', 'kafka-3'], ['registry']])
    expect(bootstrapServers(layout(3))).toEqual(['127.0.0.1:9092', '127.0.0.1:9094', '127.0.0.1:9096'])
  })

  it('configures a 3-node quorum with replication 3 and min.insync.replicas 2', () => {
    const l = layout(3)
    const props = serverProperties(l, buildServiceGraph(l)[1]!, 1)
    expect(props['node.id']).toBe(2)
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097')
    expect(props['listeners']).toBe('PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095')
    expect(props).toMatchObject({
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
    })
  })

  it('keeps a single node writable: replication 1, min.insync.replicas 1', () => {
    const l = layout(1)
    expect(serverProperties(l, buildServiceGraph(l)[0]!, 0)).toMatchObject({
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
      'transaction.state.log.min.isr': 1,
    })
  })

  it('makes KRaft cluster ids of 22 base64url characters', () => {
    for (let i = 0; i < 50; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
  })

  it('restarts on the saved layout, takes new ports only when stopped, never a new broker count', () => {
    const saved = {...layout(1), kafkaPort: 19092}
    expect(planLayout('/s', saved, {}, false).kafkaPort).toBe(19092)
    expect(planLayout('/s', saved, {kafkaPort: 29092}, false).kafkaPort).toBe(29092)
    expect(() => planLayout('/s', saved, {kafkaPort: 29092}, true)).toThrow(/cannot move while running/)
    expect(() => planLayout('/s', saved, {brokers: 3}, false)).toThrow(/created with 1 broker/)
  })

  it('refuses a layout that puts two services on one port, naming both and the flag', () => {
    expect(() => planLayout('/s', undefined, {stack: 'full', kafkaPort: 19092, alertmanagerPort: 19093}, false)).toThrow(
      /^Port 19093 would serve both alertmanager \(http\) and kafka-1 \(controller\)\.$/,
    )
    expect(() => planLayout('/s', undefined, {registryPort: 7071}, false)).toThrow(/Port 7071 would serve both kafka-1 \(metrics\) and registry \(http\)/)
    expect(planLayout('/s', undefined, {stack: 'full'}, false).prometheusPort).toBe(9090)
  })
})

describe('secure node config', () => {
  const secure: RuntimeLayout = {...DEFAULT_LAYOUT, brokers: 3, host: '127.0.0.1', kafkaPort: 9092, registryPort: 8081, stateDir: '/s', security: 'sasl_ssl'}
  const security = {keystore: '/s/certs/kafka-2-keystore.pem', truststore: '/s/certs/ca.pem', brokerPassword: 'b-secret', controllerPassword: 'c-secret'}
  const props = serverProperties(secure, buildServiceGraph(secure)[1]!, 1, security)

  it('serves clients and brokers SCRAM-SHA-512 over TLS and controllers PLAIN over TLS', () => {
    expect(props).toMatchObject({
      listeners: 'SASL_SSL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095',
      'advertised.listeners': 'SASL_SSL://127.0.0.1:9094',
      'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL',
      'inter.broker.listener.name': 'SASL_SSL',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'sasl.mechanism.controller.protocol': 'PLAIN',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': security.keystore,
      'ssl.truststore.location': security.truststore,
    })
    expect(props['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config']).toContain('username="broker" password="b-secret"')
    expect(props['listener.name.controller.plain.sasl.jaas.config']).toContain('user_controller="c-secret"')
  })

  it('allows nothing without an ACL but to the admin and the cluster itself', () => {
    expect(props).toMatchObject({
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': 'false',
      'super.users': 'User:admin;User:broker;User:controller',
    })
  })

  it('refuses to configure a secure node without its TLS files and passwords', () => {
    expect(() => serverProperties(secure, buildServiceGraph(secure)[0]!, 0)).toThrow(/needs the node's TLS files/)
  })
})
