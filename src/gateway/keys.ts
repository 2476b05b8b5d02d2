import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import {writePrivateFile} from '../config/private-file.js'
import {MktError} from '../errors.js'

/** Who calls the gateway: a shop's back office, a storefront, or an administrator. */
export const KEY_ROLES = ['shop', 'storefront', 'admin'] as const
export type KeyRole = (typeof KEY_ROLES)[number]

/** The Kafka principal each kind of key acts as (compose/acls.yaml): what the key may do is also what Kafka lets it do. */
export const ROLE_PRINCIPAL = {shop: 'shop', storefront: 'client', admin: 'admin'} as const satisfies Record<KeyRole, string>
/** Every principal the gateway acts as: its own (the search index) and its keys'. */
export type GatewayPrincipal = 'gateway' | (typeof ROLE_PRINCIPAL)[KeyRole]

export interface StoredKey {
  id: string
  name: string
  role: KeyRole
  /** A shop key sends cards of this store only. */
  store?: string
  /** SHA-256 of the secret: the keys are 256 random bits, so a fast hash is enough and the file alone gives no key away. */
  sha256: string
  created_at: string
  revoked_at?: string
}

/** A key as listed: everything but its hash. */
export type KeyInfo = Omit<StoredKey, 'sha256'> & {principal: string; active: boolean}

interface KeyFile {
  version: 1
  keys: StoredKey[]
}

const PREFIX = 'mkt'
const KEY_PATTERN = /^mkt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

export const defaultKeysFile = (stateDir: string) => path.join(stateDir, 'gateway', 'keys.json')

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex')
const info = (key: StoredKey): KeyInfo => {
  const {sha256: _hash, ...rest} = key
  return {...rest, principal: ROLE_PRINCIPAL[key.role], active: !key.revoked_at}
}

function readKeyFile(file: string): KeyFile {
  if (!fs.existsSync(file)) return {version: 1, keys: []}
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile
    if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new Error('not a version 1 key file')
    return parsed
  } catch (error) {
    throw new MktError(
      `The gateway key file ${file} cannot be read: ${(error as Error).message}.`,
      'Restore it from a backup, or move it away and create new keys.',
      'config',
    )
  }
}

/** `mkt gateway keys create`: the key text is returned once and never stored. */
export function createKey(
  file: string,
  input: {name: string; role: string; store?: string},
  now = () => new Date().toISOString(),
): {key: string; info: KeyInfo} {
  const role = input.role as KeyRole
  if (!KEY_ROLES.includes(role))
    throw new MktError(`--role must be one of ${KEY_ROLES.join(', ')}, got "${input.role}".`, 'For example --role shop --store store-1.', 'usage')
  const name = input.name.trim()
  if (!/^[\p{L}\p{N}._-]{1,64}$/u.test(name))
    throw new MktError(`The key name "${input.name}" is not valid.`, 'Use 1-64 letters, digits, dots, dashes or underscores.', 'usage')
  const store = input.store?.trim()
  if (role === 'shop' && !store) throw new MktError('A shop key needs --store: the store_id whose cards it may send.', 'For example --store store-1.', 'usage')
  if (role !== 'shop' && store) throw new MktError(`--store is for shop keys only; a ${role} key has no store.`, 'Drop --store, or use --role shop.', 'usage')
  const keys = readKeyFile(file)
  if (keys.keys.some((k) => k.name === name && !k.revoked_at))
    throw new MktError(
      `There already is an active key named "${name}".`,
      `Revoke it first (\`mkt gateway keys revoke ${name}\`) or choose another name.`,
      'usage',
    )
  const id = randomBytes(6).toString('hex')
  const secret = randomBytes(32).toString('base64url')
  const stored: StoredKey = {id, name, role, ...(store ? {store} : {}), sha256: hash(secret), created_at: now()}
  keys.keys.push(stored)
  writePrivateFile(file, `${JSON.stringify(keys, null, 2)}\n`)
  return {key: `${PREFIX}_${id}_${secret}`, info: info(stored)}
}

export function listKeys(file: string): KeyInfo[] {
  return readKeyFile(file).keys.map(info)
}

/** Revokes by name or id; a gateway that is running refuses the key from its next request on. */
export function revokeKey(file: string, nameOrId: string, now = () => new Date().toISOString()): KeyInfo {
  const keys = readKeyFile(file)
  const key = keys.keys.find((k) => !k.revoked_at && (k.id === nameOrId || k.name === nameOrId))
  if (!key) {
    const known = keys.keys.filter((k) => !k.revoked_at).map((k) => k.name)
    throw new MktError(
      `No active gateway key is named "${nameOrId}".`,
      known.length > 0 ? `Active keys: ${known.join(', ')}.` : 'There are no active keys.',
      'notFound',
    )
  }
  key.revoked_at = now()
  writePrivateFile(file, `${JSON.stringify(keys, null, 2)}\n`)
  return info(key)
}

/**
 * What the running gateway checks each request against: the key file,
 * read again whenever it changes on disk, so a revoked key is refused at
 * once and no restart is needed.
 */
export class KeyRing {
  private byId = new Map<string, StoredKey>()
  private seen = ''

  constructor(private readonly file: string) {
    this.refresh()
  }

  get size(): number {
    let active = 0
    for (const key of this.byId.values()) if (!key.revoked_at) active++
    return active
  }

  private refresh(): void {
    let stamp = 'missing'
    try {
      const stat = fs.statSync(this.file)
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`
    } catch {}
    if (stamp === this.seen) return
    this.byId = new Map(readKeyFile(this.file).keys.map((k) => [k.id, k]))
    this.seen = stamp
  }

  /** The active key a presented text belongs to, or undefined. */
  check(text: string): KeyInfo | undefined {
    const match = KEY_PATTERN.exec(text.trim())
    if (!match) return undefined
    this.refresh()
    const key = this.byId.get(match[1]!)
    if (!key || key.revoked_at) return undefined
    const given = Buffer.from(hash(match[2]!), 'hex')
    const expected = Buffer.from(key.sha256, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected) ? info(key) : undefined
  }
}
