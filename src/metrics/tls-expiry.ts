import {X509Certificate} from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import tls from 'node:tls'

import {Gauge, type Registry} from 'prom-client'

import type {Profile} from '../config/schema.js'

/** Certificates change rarely: one look a minute is plenty, and a scrape never waits on a handshake longer than this. */
const CACHE_MS = 60_000
const HANDSHAKE_TIMEOUT_MS = 3000

export interface CertificateExpiry {
  subject: string
  /** Where the certificate was seen: a file of the profile, or `broker host:port` for what that broker presents. */
  source: string
  expiresAt: number
}

function subjectOf(subject: string | undefined): string {
  // X509Certificate gives "CN=kafka-1\nO=mkt"; one line reads better as a label.
  return (subject ?? '').split('\n').filter(Boolean).join(', ')
}

function fileCertificates(file: string): CertificateExpiry[] {
  const pem = fs.readFileSync(file, 'utf8')
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  return blocks.map((block) => {
    const cert = new X509Certificate(block)
    return {subject: subjectOf(cert.subject), source: file, expiresAt: Date.parse(cert.validTo) / 1000}
  })
}

/** The chain a broker presents on its TLS listener (read only: this check trusts nothing it learns). */
function brokerCertificates(broker: string): Promise<CertificateExpiry[]> {
  const [host, port] = [broker.slice(0, broker.lastIndexOf(':')), Number(broker.slice(broker.lastIndexOf(':') + 1))]
  return new Promise((resolve) => {
    const socket = tls.connect({host, port, rejectUnauthorized: false, ...(net.isIP(host) ? {} : {servername: host})})
    const done = (value: CertificateExpiry[]) => {
      socket.destroy()
      resolve(value)
    }
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => done([]))
    socket.once('error', () => done([]))
    socket.once('secureConnect', () => {
      const chain: CertificateExpiry[] = []
      const seen = new Set<string>()
      for (let cert = socket.getPeerCertificate(true); cert?.fingerprint256 && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate) {
        seen.add(cert.fingerprint256)
        const subject = Object.entries(cert.subject ?? {})
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', ')
        chain.push({subject, source: `broker ${broker}`, expiresAt: Date.parse(cert.valid_to) / 1000})
      }
      done(chain)
    })
  })
}

/** Every certificate a TLS profile relies on: its CA and client files, and what each of its brokers presents. */
export async function profileCertificates(profile: Profile): Promise<CertificateExpiry[]> {
  if (!profile.tls?.enabled) return []
  const files = [profile.tls.ca, profile.tls.cert].filter((f): f is string => Boolean(f))
  const fromFiles = files.flatMap((file) => {
    try {
      return fileCertificates(file)
    } catch {
      return [] // unreadable now: the client will say so itself; this gauge only reports what it can read
    }
  })
  const fromBrokers = await Promise.all(profile.brokers.map(brokerCertificates))
  return [...fromFiles, ...fromBrokers.flat()]
}

/**
 * mkt_tls_certificate_expiry_timestamp_seconds{subject, source}: when each
 * certificate the worker depends on expires, for CertificateExpiringSoon.
 * Nothing without TLS.
 */
export function certificateExpiryGauge(registry: Registry, profile: Profile): Gauge | undefined {
  if (!profile.tls?.enabled) return undefined
  let last: {at: number; certs: CertificateExpiry[]} | undefined
  return new Gauge({
    name: 'mkt_tls_certificate_expiry_timestamp_seconds',
    help: 'When a certificate the worker relies on expires (Unix seconds): its CA and client files, and the chain each broker presents',
    labelNames: ['subject', 'source'],
    registers: [registry],
    async collect() {
      if (!last || Date.now() - last.at > CACHE_MS) last = {at: Date.now(), certs: await profileCertificates(profile)}
      this.reset()
      for (const cert of last.certs) this.set({subject: cert.subject, source: cert.source}, cert.expiresAt)
    },
  })
}
