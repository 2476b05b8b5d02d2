// @peculiar/x509 reads decorator metadata at load time: reflect-metadata must be evaluated first.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import crypto, {webcrypto} from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import {writePrivateFile} from '../config/private-file.js'
import {MktError} from '../errors.js'

// Node's WebCrypto is the standard one; only its @types/node declaration differs from the lib's Crypto.
x509.cryptoProvider.set(webcrypto as unknown as Crypto)

/** The three files of one broker or client certificate. */
export interface LeafPaths {
  /** The leaf certificate followed by the CA certificate (the chain). */
  cert: string
  /** Its unencrypted PKCS#8 private key. */
  key: string
  /** Key + chain in one file: what Kafka reads with ssl.keystore.type=PEM and ssl.keystore.location. */
  keystore: string
}

/**
 * The layout of <stateDir>/certs: ca.pem, ca-key.pem and, per broker or
 * client NAME, NAME.pem, NAME-key.pem and NAME-keystore.pem. Brokers and
 * clients share one namespace, so node() and client() give the same layout;
 * both exist so callers say which one they mean.
 */
export interface CertPaths {
  dir: string
  ca: string
  caKey: string
  node(name: string): LeafPaths
  client(name: string): LeafPaths
}

export interface CertNode {
  name: string
  /** Host names and IP literals the broker is reached by; localhost and 127.0.0.1 are always added. */
  hosts: string[]
}

export interface EnsureCertificatesOptions {
  stateDir: string
  nodes: CertNode[]
  /** Client certificates for mutual TLS (subject CN = the name). */
  clients?: string[]
  /** Renew everything: a new CA, then every leaf. */
  force?: boolean
  /** Validity of broker and client certificates (default 825 days; the CA always gets 10 years). */
  validDays?: number
  now?: Date
}

export interface EnsureCertificatesResult {
  created: string[]
  kept: string[]
  paths: CertPaths
}

export interface CertInfo {
  file: string
  subject: string
  issuer: string
  /** 'DNS:localhost', 'IP:127.0.0.1', … */
  sans: string[]
  notBefore: string
  notAfter: string
  daysLeft: number
  /** Expires within 30 days (or has expired): the next `mkt certs create` renews it. */
  expiresSoon: boolean
  isCa: boolean
}

const DAY_MS = 86_400_000
const RENEW_WITHIN_DAYS = 30
const CA_VALID_DAYS = 3650
const LEAF_VALID_DAYS = 825
// Backdated so that a peer whose clock is a little behind already accepts a fresh certificate.
const CLOCK_SKEW_MS = 3_600_000
const EC_KEY = {name: 'ECDSA', namedCurve: 'P-256'}
const SIGNING = {name: 'ECDSA', hash: 'SHA-256'}
const CA_SUBJECT = 'CN=mkt local CA, O=mkt'
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i
const HOST_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i

interface Issuer {
  cert: x509.X509Certificate
  key: CryptoKey
}

interface Leaf {
  name: string
  paths: LeafPaths
  sans: x509.JsonGeneralName[]
}

export function certPaths(stateDir: string): CertPaths {
  const dir = path.join(stateDir, 'certs')
  const leaf = (name: string): LeafPaths => ({
    cert: path.join(dir, `${name}.pem`),
    key: path.join(dir, `${name}-key.pem`),
    keystore: path.join(dir, `${name}-keystore.pem`),
  })
  return {dir, ca: path.join(dir, 'ca.pem'), caKey: path.join(dir, 'ca-key.pem'), node: leaf, client: leaf}
}

/**
 * Makes <stateDir>/certs hold a CA and a certificate per node and client,
 * keeping every file that is still valid for what is asked: a missing or
 * unparseable file, changed SANs or an expiry within 30 days re-issues that
 * certificate; a renewed CA re-issues them all, also the ones already in the
 * directory that this call does not ask for (with the SANs they had).
 */
export async function ensureCertificates(options: EnsureCertificatesOptions): Promise<EnsureCertificatesResult> {
  const now = options.now ?? new Date()
  const validDays = options.validDays ?? LEAF_VALID_DAYS
  if (!(validDays > 0)) throw new MktError(`validDays must be positive, not ${validDays}.`, undefined, 'usage')
  const paths = certPaths(options.stateDir)
  const leaves: Leaf[] = [
    ...options.nodes.map((n) => ({name: n.name, paths: paths.node(n.name), sans: nodeSans(n.hosts)})),
    ...(options.clients ?? []).map((name) => ({name, paths: paths.client(name), sans: []})),
  ]
  checkNames(leaves.map((l) => l.name))

  fs.mkdirSync(paths.dir, {recursive: true, mode: 0o700})
  fs.chmodSync(paths.dir, 0o700)
  const created: string[] = []
  const kept: string[] = []
  const existingCa = options.force ? undefined : await loadCa(paths, now)
  const ca = existingCa ?? (await createCa(paths, now))
  ;(existingCa ? kept : created).push(paths.ca, paths.caKey)
  for (const leaf of leaves) {
    const current = existingCa !== undefined && (await leafIsCurrent(leaf, ca, now))
    if (!current) await createLeaf(leaf, ca, now, validDays)
    ;(current ? kept : created).push(leaf.paths.cert, leaf.paths.key, leaf.paths.keystore)
  }
  // A new CA would leave the certificates not asked for this time (other brokers, a client) unverifiable: re-issue them for the names they had.
  for (const leaf of existingCa ? [] : strayLeaves(paths, leaves)) {
    await createLeaf(leaf, ca, now, validDays)
    created.push(leaf.paths.cert, leaf.paths.key, leaf.paths.keystore)
  }
  // Also the kept files: an older run or a copy may have left them readable by others.
  for (const file of [...created, ...kept]) fs.chmodSync(file, 0o600)
  return {created, kept, paths}
}

/** Every certificate under <stateDir>/certs, the CA first. */
export async function describeCertificates(stateDir: string, now: Date = new Date()): Promise<CertInfo[]> {
  const paths = certPaths(stateDir)
  if (!fs.existsSync(paths.ca)) throw new MktError(`There are no certificates in ${paths.dir} yet.`, 'Run `mkt certs create` to generate them.', 'notFound')
  return [paths.ca, ...leafNames(paths).map((name) => paths.node(name).cert)].map((file) => describeFile(file, now))
}

function strayLeaves(paths: CertPaths, asked: Leaf[]): Leaf[] {
  return leafNames(paths)
    .filter((name) => !asked.some((l) => l.name === name))
    .map((name) => ({
      name,
      paths: paths.node(name),
      sans: readChain(paths.node(name).cert)?.[0]?.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [],
    }))
}

/** The names of the leaf certificates in the directory, sorted. */
function leafNames(paths: CertPaths): string[] {
  return fs
    .readdirSync(paths.dir)
    .filter((f) => f.endsWith('.pem') && !f.endsWith('-key.pem') && !f.endsWith('-keystore.pem'))
    .map((f) => f.slice(0, -'.pem'.length))
    .filter((name) => name !== 'ca' && NAME_PATTERN.test(name))
    .sort()
}

function describeFile(file: string, now: Date): CertInfo {
  const cert = readChain(file)?.[0]
  if (!cert) throw new MktError(`${file} does not hold a PEM certificate.`, 'Run `mkt certs create` to re-create it, or remove the file.', 'config')
  const msLeft = cert.notAfter.getTime() - now.getTime()
  return {
    file,
    subject: cert.subject,
    issuer: cert.issuer,
    sans: sanStrings(cert.getExtension(x509.SubjectAlternativeNameExtension)),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    daysLeft: Math.floor(msLeft / DAY_MS),
    expiresSoon: msLeft < RENEW_WITHIN_DAYS * DAY_MS,
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
  }
}

function checkNames(names: string[]): void {
  const seen = new Set<string>()
  for (const name of names) {
    if (!NAME_PATTERN.test(name) || name === 'ca')
      throw new MktError(`"${name}" cannot name a certificate.`, 'Use letters, digits, ".", "_" and "-" (and not "ca").', 'usage')
    if (seen.has(name)) throw new MktError(`"${name}" is asked for twice.`, 'Brokers and clients share one set of names; give each its own.', 'usage')
    seen.add(name)
  }
}

/** The node's hosts plus localhost and 127.0.0.1: Node's TLS and librdkafka check the IP SAN when they connect to 127.0.0.1 without SNI. */
function nodeSans(hosts: string[]): x509.JsonGeneralName[] {
  const unique = [...new Set([...hosts.map((h) => h.toLowerCase()), 'localhost', '127.0.0.1'])]
  return unique.map((host) => {
    if (net.isIP(host)) return {type: 'ip', value: host}
    if (!HOST_PATTERN.test(host)) throw new MktError(`"${host}" is neither a host name nor an IP address.`, undefined, 'usage')
    return {type: 'dns', value: host}
  })
}

function sanStrings(ext: x509.SubjectAlternativeNameExtension | null): string[] {
  return (ext?.names.toJSON() ?? []).map((n) => `${n.type.toUpperCase()}:${n.value}`)
}

/** Order-independent, for comparing what a certificate holds with what is asked. */
function sanKey(ext: x509.SubjectAlternativeNameExtension | null): string {
  return sanStrings(ext).sort().join(',')
}

/** The SANs as a certificate would read back (encoded and parsed again: IPv6 literals come back normalised). */
function encodedSans(sans: x509.JsonGeneralName[]): x509.SubjectAlternativeNameExtension | null {
  return sans.length === 0 ? null : new x509.SubjectAlternativeNameExtension(new x509.SubjectAlternativeNameExtension(sans).rawData)
}

async function loadCa(paths: CertPaths, now: Date): Promise<Issuer | undefined> {
  try {
    const cert = readChain(paths.ca)?.[0]
    const keyPem = fs.readFileSync(paths.caKey, 'utf8')
    if (!cert || !cert.getExtension(x509.BasicConstraintsExtension)?.ca || !usableAt(cert, now) || !keyMatches(keyPem, cert)) return undefined
    const key = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), EC_KEY, false, ['sign'])
    return {cert, key}
  } catch {
    return undefined
  }
}

async function leafIsCurrent(leaf: Leaf, ca: Issuer, now: Date): Promise<boolean> {
  try {
    const chain = fs.readFileSync(leaf.paths.cert, 'utf8')
    const keyPem = fs.readFileSync(leaf.paths.key, 'utf8')
    const cert = new x509.X509Certificate(x509.PemConverter.decodeFirst(chain))
    return (
      chain === pem(cert) + pem(ca.cert) &&
      fs.readFileSync(leaf.paths.keystore, 'utf8') === keyPem + chain &&
      cert.subject === leafSubject(leaf.name) &&
      usableAt(cert, now) &&
      sanKey(cert.getExtension(x509.SubjectAlternativeNameExtension)) === sanKey(encodedSans(leaf.sans)) &&
      keyMatches(keyPem, cert) &&
      (await cert.verify({publicKey: ca.cert, signatureOnly: true}))
    )
  } catch {
    return false
  }
}

async function createCa(paths: CertPaths, now: Date): Promise<Issuer> {
  const keys = await newKeyPair()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity(now, CA_VALID_DAYS),
    serialNumber: serialNumber(),
    name: CA_SUBJECT,
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      // pathLength 0: this CA signs leaves only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  writePrivateFile(paths.caKey, await privateKeyPem(keys.privateKey))
  writePrivateFile(paths.ca, pem(cert))
  return {cert, key: keys.privateKey}
}

async function createLeaf(leaf: Leaf, ca: Issuer, now: Date, validDays: number): Promise<void> {
  const keys = await newKeyPair()
  const cert = await x509.X509CertificateGenerator.create({
    ...validity(now, validDays),
    serialNumber: serialNumber(),
    subject: leafSubject(leaf.name),
    issuer: ca.cert.subjectName,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ...(leaf.sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(leaf.sans)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  })
  const keyPem = await privateKeyPem(keys.privateKey)
  const chain = pem(cert) + pem(ca.cert)
  writePrivateFile(leaf.paths.key, keyPem)
  writePrivateFile(leaf.paths.cert, chain)
  writePrivateFile(leaf.paths.keystore, keyPem + chain)
}

function leafSubject(name: string): string {
  return `CN=${name}, O=mkt`
}

function validity(now: Date, days: number): {notBefore: Date; notAfter: Date} {
  return {notBefore: new Date(now.getTime() - CLOCK_SKEW_MS), notAfter: new Date(now.getTime() + days * DAY_MS)}
}

/** Valid at `now` and for longer than the renewal window. */
function usableAt(cert: x509.X509Certificate, now: Date): boolean {
  return cert.notBefore <= now && cert.notAfter.getTime() - now.getTime() >= RENEW_WITHIN_DAYS * DAY_MS
}

/** 16 random bytes, the top bit cleared so the DER integer stays positive and 16 bytes long, the first byte non-zero. */
function serialNumber(): string {
  const bytes = crypto.randomBytes(16)
  bytes[0] = bytes[0]! & 0x7f || 0x01
  return bytes.toString('hex')
}

function newKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`
}

function pem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`
}

function readChain(file: string): x509.X509Certificate[] | undefined {
  try {
    return x509.PemConverter.decode(fs.readFileSync(file, 'utf8')).map((der) => new x509.X509Certificate(der))
  } catch {
    return undefined
  }
}

/** A PKCS#8 key (the form Kafka's PEM keystore reads) whose public half is the certificate's. */
function keyMatches(keyPem: string, cert: x509.X509Certificate): boolean {
  if (!keyPem.startsWith('-----BEGIN PRIVATE KEY-----')) return false
  const spki = crypto.createPublicKey(crypto.createPrivateKey(keyPem)).export({type: 'spki', format: 'der'})
  return spki.equals(Buffer.from(cert.publicKey.rawData))
}
