import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'

import {Registry} from 'prom-client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Profile} from '../../src/config/schema.js'
import {certificateExpiryGauge, profileCertificates} from '../../src/metrics/tls-expiry.js'
import {certPaths, describeCertificates, ensureCertificates} from '../../src/security/index.js'

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-tls-expiry-'))
let server: tls.Server
let profile: Profile
const plain: Profile = {
  name: 't',
  brokers: ['127.0.0.1:9092'],
  schemaRegistry: {url: 'http://127.0.0.1:8081'},
  stateDir,
  clientId: 'mkt',
  searchUrl: 'http://127.0.0.1:9410',
}

beforeAll(async () => {
  await ensureCertificates({stateDir, nodes: [{name: 'kafka-1', hosts: ['kafka-1']}], clients: []})
  const paths = certPaths(stateDir)
  const keystore = fs.readFileSync(paths.node('kafka-1').keystore)
  server = tls.createServer({key: keystore, cert: keystore}, (socket) => socket.end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  profile = {...plain, brokers: [`127.0.0.1:${port}`, '127.0.0.1:1'], tls: {enabled: true, ca: paths.ca, rejectUnauthorized: true}}
})

afterAll(() => {
  server.close()
  fs.rmSync(stateDir, {recursive: true, force: true})
})

describe('certificate expiry for CertificateExpiringSoon', () => {
  it('reports the CA file and the chain a broker presents, with the expiry `mkt certs show` gives', async () => {
    const certs = await profileCertificates(profile)
    const shown = await describeCertificates(stateDir)
    const expiry = (file: string) => Date.parse(shown.find((c) => path.basename(c.file) === file)!.notAfter) / 1000
    const broker = `broker ${profile.brokers[0]}`
    expect(certs.find((c) => c.source === profile.tls!.ca)).toMatchObject({subject: expect.stringContaining('CN=mkt local CA'), expiresAt: expiry('ca.pem')})
    expect(certs.find((c) => c.source === broker && c.subject.includes('CN=kafka-1'))?.expiresAt).toBe(expiry('kafka-1.pem'))
    expect(certs.filter((c) => c.source === broker).map((c) => c.subject)).toContainEqual(expect.stringContaining('CN=mkt local CA'))
    // The second broker does not answer: it is left out, not waited for forever and not an error.
    expect(certs.some((c) => c.source === 'broker 127.0.0.1:1')).toBe(false)
  })

  it('exports them as mkt_tls_certificate_expiry_timestamp_seconds, and nothing without TLS', async () => {
    const registry = new Registry()
    certificateExpiryGauge(registry, profile)
    const text = await registry.metrics()
    expect(text).toMatch(/mkt_tls_certificate_expiry_timestamp_seconds\{subject="[^"]*CN=kafka-1[^"]*",source="broker 127\.0\.0\.1:\d+"\} \d+/)
    expect(certificateExpiryGauge(new Registry(), plain)).toBeUndefined()
  })
})
