import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'

import {describe, expect, it} from 'vitest'

import {isMktError} from '../../src/errors.js'
import {describeCertificates, ensureCertificates, type EnsureCertificatesOptions} from '../../src/security/index.js'

const DAY_MS = 86_400_000
const nodes = [
  {name: 'kafka-1', hosts: ['kafka-1']},
  {name: 'kafka-2', hosts: ['kafka-2']},
]

function tempStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-certs-'))
}

async function generate(stateDir: string, options: Partial<EnsureCertificatesOptions> = {}) {
  return ensureCertificates({stateDir, nodes, clients: ['admin'], ...options})
}

/** Every PEM block of a file, as "TYPE:base64" so that order and content can be compared. */
function pemBlocks(file: string): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(/-----BEGIN ([A-Z ]+)-----\n([^-]+)-----END \1-----/g)].map((m) => `${m[1]}:${m[2]!.replace(/\s/g, '')}`)
}

function certOf(file: string): crypto.X509Certificate {
  return new crypto.X509Certificate(fs.readFileSync(file))
}

/** SHA-256 fingerprint of every certificate in the dir (first certificate of each file). */
function fingerprints(stateDir: string): Record<string, string> {
  const dir = path.join(stateDir, 'certs')
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.pem') && !f.endsWith('-key.pem') && !f.endsWith('-keystore.pem'))
      .map((f) => [f, certOf(path.join(dir, f)).fingerprint256]),
  )
}

describe('certificates for the secure local runtime', () => {
  it('issues broker certificates that verify against the CA and cover their host, localhost and 127.0.0.1', async () => {
    const stateDir = tempStateDir()
    const {paths, created, kept} = await generate(stateDir)
    expect(kept).toEqual([])
    expect(created).toHaveLength(2 + 3 * 3)

    const ca = certOf(paths.ca)
    expect(ca.ca).toBe(true)
    expect(ca.subject).toBe('CN=mkt local CA\nO=mkt')
    expect(ca.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(paths.caKey)))).toBe(true)

    const broker = certOf(paths.node('kafka-2').cert)
    expect(broker.ca).toBe(false)
    expect(broker.subject).toBe('CN=kafka-2\nO=mkt')
    expect(broker.verify(ca.publicKey)).toBe(true)
    expect(broker.checkIssued(ca)).toBe(true)
    expect(broker.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(broker.checkHost('localhost')).toBe('localhost')
    expect(broker.checkHost('kafka-2')).toBe('kafka-2')
    expect(broker.checkHost('kafka-1')).toBeUndefined()
    expect(broker.checkHost('example.com')).toBeUndefined()
    expect(broker.checkIP('10.0.0.1')).toBeUndefined()
    expect(broker.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']))
    expect(broker.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(Buffer.from(broker.serialNumber, 'hex')).toHaveLength(16)
    expect(new Date(broker.validTo).getTime() - Date.now()).toBeGreaterThan(824 * DAY_MS)

    const client = certOf(paths.client('admin').cert)
    expect(client.subject).toBe('CN=admin\nO=mkt')
    expect(client.verify(ca.publicKey)).toBe(true)
  })

  it('writes the chain, an unencrypted PKCS#8 key and a keystore of key + leaf + CA, readable by the owner only', async () => {
    const stateDir = tempStateDir()
    const {paths} = await generate(stateDir)
    const files = paths.node('kafka-1')
    const leaf = certOf(files.cert)

    const keyPem = fs.readFileSync(files.key, 'utf8')
    expect(keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true)
    const key = crypto.createPrivateKey(keyPem)
    expect(leaf.checkPrivateKey(key)).toBe(true)
    expect(crypto.createPublicKey(key).export({type: 'spki', format: 'pem'})).toBe(leaf.publicKey.export({type: 'spki', format: 'pem'}))

    const [leafBlock, caBlock] = pemBlocks(files.cert)
    expect(pemBlocks(paths.ca)).toEqual([caBlock])
    expect(pemBlocks(files.keystore)).toEqual([...pemBlocks(files.key), leafBlock, caBlock])
    expect(pemBlocks(files.keystore)[0]!.startsWith('PRIVATE KEY:')).toBe(true)

    expect(fs.statSync(paths.dir).mode & 0o777).toBe(0o700)
    for (const f of fs.readdirSync(paths.dir)) expect(fs.statSync(path.join(paths.dir, f)).mode & 0o777, f).toBe(0o600)
  })

  it('serves TLS that a client checking the CA and the IP SAN accepts on 127.0.0.1, with the client certificate for mutual TLS', async () => {
    const stateDir = tempStateDir()
    const {paths} = await generate(stateDir)
    const keystore = fs.readFileSync(paths.node('kafka-1').keystore)
    const ca = fs.readFileSync(paths.ca)
    const server = tls.createServer({key: keystore, cert: keystore, ca, requestCert: true, rejectUnauthorized: true}, (socket) => {
      socket.end(`hello ${socket.getPeerCertificate().subject.CN}`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as {port: number}
    try {
      const client = paths.client('admin')
      const reply = await new Promise<string>((resolve, reject) => {
        // No servername: the client checks the IP SAN, as librdkafka does for 127.0.0.1.
        const socket = tls.connect({host: '127.0.0.1', port, ca, key: fs.readFileSync(client.key), cert: fs.readFileSync(client.cert)}, () => {})
        let data = ''
        socket.on('data', (d: Buffer) => (data += d.toString()))
        socket.on('end', () => resolve(data))
        socket.on('error', reject)
      })
      expect(reply).toBe('hello admin')
    } finally {
      server.close()
    }
  })

  it('keeps everything on a second run and renews everything, the CA too, with force', async () => {
    const stateDir = tempStateDir()
    const first = await generate(stateDir)
    const before = fingerprints(stateDir)
    for (const f of fs.readdirSync(first.paths.dir)) fs.chmodSync(path.join(first.paths.dir, f), 0o644)

    const again = await generate(stateDir)
    expect(again.created).toEqual([])
    expect(again.kept.sort()).toEqual(first.created.sort())
    expect(fingerprints(stateDir)).toEqual(before)
    for (const f of fs.readdirSync(first.paths.dir)) expect(fs.statSync(path.join(first.paths.dir, f)).mode & 0o777, f).toBe(0o600)

    const forced = await generate(stateDir, {force: true})
    expect(forced.kept).toEqual([])
    const after = fingerprints(stateDir)
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort())
    for (const [file, fingerprint] of Object.entries(after)) expect(fingerprint, file).not.toBe(before[file])
    expect(certOf(forced.paths.node('kafka-1').cert).verify(certOf(forced.paths.ca).publicKey)).toBe(true)
  })

  it('re-issues, with a new CA, also the certificates not asked for this time, for the hosts they had', async () => {
    const stateDir = tempStateDir()
    const {paths} = await generate(stateDir)
    const before = fingerprints(stateDir)
    const forced = await ensureCertificates({stateDir, nodes: [nodes[0]!], force: true})
    expect(forced.created.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['kafka-2.pem', 'admin.pem']))
    const ca = certOf(paths.ca)
    for (const name of ['kafka-1', 'kafka-2', 'admin']) {
      const cert = certOf(paths.node(name).cert)
      expect(cert.fingerprint256, name).not.toBe(before[`${name}.pem`])
      expect(cert.verify(ca.publicKey), name).toBe(true)
    }
    expect(certOf(paths.node('kafka-2').cert).checkHost('kafka-2')).toBe('kafka-2')
    expect(certOf(paths.client('admin').cert).subjectAltName).toBeUndefined()
  })

  it('renews a certificate that expires within 30 days and flags it until then', async () => {
    const stateDir = tempStateDir()
    await generate(stateDir, {validDays: 20})
    const shown = await describeCertificates(stateDir)
    expect(shown.map((c) => [path.basename(c.file), c.isCa, c.expiresSoon])).toEqual([
      ['ca.pem', true, false],
      ['admin.pem', false, true],
      ['kafka-1.pem', false, true],
      ['kafka-2.pem', false, true],
    ])
    const broker = shown.find((c) => c.file.endsWith('kafka-1.pem'))!
    expect(broker.daysLeft).toBe(19)
    expect(broker.sans).toEqual(['DNS:kafka-1', 'DNS:localhost', 'IP:127.0.0.1'])
    expect(broker.subject).toBe('CN=kafka-1, O=mkt')
    expect(broker.issuer).toBe('CN=mkt local CA, O=mkt')

    const before = fingerprints(stateDir)
    const renewed = await generate(stateDir)
    expect(renewed.kept).toEqual([renewed.paths.ca, renewed.paths.caKey])
    expect(fingerprints(stateDir)['ca.pem']).toBe(before['ca.pem'])
    expect(fingerprints(stateDir)['kafka-1.pem']).not.toBe(before['kafka-1.pem'])
    expect((await describeCertificates(stateDir)).filter((c) => c.expiresSoon)).toEqual([])
  })

  it('renews a CA that expires soon, and every leaf with it', async () => {
    const stateDir = tempStateDir()
    await generate(stateDir, {now: new Date(Date.now() - 3640 * DAY_MS)})
    expect((await describeCertificates(stateDir)).find((c) => c.isCa)?.expiresSoon).toBe(true)
    const before = fingerprints(stateDir)
    const renewed = await generate(stateDir)
    expect(renewed.kept).toEqual([])
    for (const [file, fingerprint] of Object.entries(fingerprints(stateDir))) expect(fingerprint, file).not.toBe(before[file])
  })

  it('re-issues only the node whose host list changed, and a node whose files are damaged', async () => {
    const stateDir = tempStateDir()
    const {paths} = await generate(stateDir)
    const before = fingerprints(stateDir)

    const changed = await generate(stateDir, {nodes: [nodes[0]!, {name: 'kafka-2', hosts: ['kafka-2', 'kafka.example.test', '10.0.0.5']}]})
    const k2 = paths.node('kafka-2')
    expect(changed.created.sort()).toEqual([k2.cert, k2.key, k2.keystore].sort())
    const after = fingerprints(stateDir)
    expect(after['kafka-2.pem']).not.toBe(before['kafka-2.pem'])
    expect({...after, 'kafka-2.pem': ''}).toEqual({...before, 'kafka-2.pem': ''})
    const cert = certOf(k2.cert)
    expect(cert.checkHost('kafka.example.test')).toBe('kafka.example.test')
    expect(cert.checkIP('10.0.0.5')).toBe('10.0.0.5')
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1')

    fs.writeFileSync(paths.node('kafka-1').keystore, 'not a keystore')
    const repaired = await generate(stateDir, {nodes: [nodes[0]!, {name: 'kafka-2', hosts: ['10.0.0.5', 'kafka.example.test', 'kafka-2']}]})
    expect(repaired.created.map((f) => path.basename(f)).sort()).toEqual(['kafka-1-key.pem', 'kafka-1-keystore.pem', 'kafka-1.pem'])
  })

  it('says to run `mkt certs create` when there are no certificates yet', async () => {
    const error: unknown = await describeCertificates(tempStateDir()).catch((e: unknown) => e)
    expect(isMktError(error) && [error.code, error.suggestion]).toEqual(['notFound', 'Run `mkt certs create` to generate them.'])
  })

  it('rejects a name that cannot be a file and a host that is neither a name nor an IP', async () => {
    const stateDir = tempStateDir()
    await expect(generate(stateDir, {nodes: [{name: '../etc', hosts: []}]})).rejects.toMatchObject({code: 'usage'})
    await expect(generate(stateDir, {clients: ['kafka-1']})).rejects.toMatchObject({code: 'usage'})
    await expect(generate(stateDir, {nodes: [{name: 'kafka-1', hosts: ['bad host']}]})).rejects.toMatchObject({code: 'usage'})
  })
})
