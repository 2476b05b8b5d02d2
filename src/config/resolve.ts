import fs from 'node:fs'
import path from 'node:path'

import {MktError} from '../errors.js'
import {hostPort, type ConfigFile, type Profile, type SaslSettings, type StoredProfile, type StoredSasl} from './schema.js'
import {defaultStateDir, expandHome} from './paths.js'

type Env = Record<string, string | undefined>

export const DEFAULT_PROFILE = 'local'
export const DEFAULT_BROKERS = ['127.0.0.1:9092']
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7'
export const DEFAULT_SEARCH_URL = 'http://127.0.0.1:9410'
/** Kafka Connect's REST API when neither MKT_CONNECT_URL nor the profile says. */
export const DEFAULT_CONNECT_URL = 'http://127.0.0.1:8083'

/** Connection flags every command accepts; they win over everything else. */
export interface ConnectionFlags {
  profile?: string
  'bootstrap-server'?: string
  'registry-url'?: string
}

export type Source = 'flag' | 'env' | 'profile' | 'default'

export interface ResolvedProfile {
  profile: Profile
  /** Where each top-level setting came from, for `mkt profile show`. */
  sources: Record<'brokers' | 'schemaRegistry' | 'tls' | 'sasl' | 'stateDir' | 'searchUrl', Source>
  /** True when the named profile exists in the config file. */
  stored: boolean
}

function parseBrokers(value: string, origin: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  for (const broker of brokers) {
    if (!hostPort.safeParse(broker).success) {
      throw new MktError(`${origin} has "${broker}", which is not host:port.`, 'Give a comma-separated list such as 127.0.0.1:9092,127.0.0.1:9094.', 'usage')
    }
  }
  if (brokers.length === 0) throw new MktError(`${origin} is empty.`, 'Give at least one broker as host:port.', 'usage')
  return brokers
}

function parseBool(value: string, origin: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true
  if (/^(0|false|no|off)$/i.test(value)) return false
  throw new MktError(`${origin} is "${value}", not a boolean.`, 'Use true or false.', 'usage')
}

/** The stored SASL settings with the password read from its file when the profile keeps it there. */
function storedSasl(stored: StoredSasl | undefined, profileName: string, missingOk = false): SaslSettings | undefined {
  if (!stored) return undefined
  if (stored.password !== undefined) return {mechanism: stored.mechanism, username: stored.username, password: stored.password}
  const file = expandHome(stored.passwordFile!)
  let password: string
  try {
    password = fs.readFileSync(file, 'utf8').trim()
  } catch (error) {
    // The runtime commands need only the state dir: after `infra down --purge` the file is gone until `infra up` writes it again.
    if (missingOk && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new MktError(
      `Cannot read the password file ${file} of profile "${profileName}": ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}.`,
      'For the local runtime run `mkt infra up` (it writes the profiles and their password files); otherwise fix sasl.passwordFile in the profile.',
      'config',
    )
  }
  if (!password)
    throw new MktError(`The password file ${file} of profile "${profileName}" is empty.`, 'Write the password into it, or fix sasl.passwordFile.', 'config')
  return {mechanism: stored.mechanism, username: stored.username, password}
}

function envSasl(env: Env, stored: StoredSasl | undefined, storedPassword: () => string | undefined): SaslSettings | undefined {
  const {MKT_SASL_MECHANISM: mechanism, MKT_SASL_USERNAME: username, MKT_SASL_PASSWORD: password} = env
  if (!mechanism && !username && !password) return undefined
  // The stored password (perhaps a file) is read only when the environment does not give one.
  const merged = {mechanism: mechanism ?? stored?.mechanism ?? 'scram-sha-512', username: username ?? stored?.username, password: password ?? storedPassword()}
  if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(merged.mechanism)) {
    throw new MktError(`MKT_SASL_MECHANISM is "${merged.mechanism}".`, 'Use plain, scram-sha-256 or scram-sha-512.', 'usage')
  }
  if (!merged.username || !merged.password) {
    throw new MktError('SASL needs both a username and a password, but only one was given.', 'Set MKT_SASL_USERNAME and MKT_SASL_PASSWORD together.', 'config')
  }
  return merged as SaslSettings
}

/**
 * The profile a command runs with. A command that acts as one service
 * principal (the filter as "filter") gets NAME:<principal> when the chosen
 * profile NAME has one (`infra up` writes them); a name with a colon is
 * taken as it is, so `--profile local:admin` runs anything as the admin.
 */
export function profileNameFor(config: ConfigFile, base: string, principal: string | undefined): string {
  if (!principal || base.includes(':')) return base
  const own = `${base}:${principal}`
  return config.profiles[own] ? own : base
}

/**
 * Applies flag > MKT_* env > profile > default, field by field. The caller
 * passes the config file and environment, so precedence is unit-tested; the
 * only thing read is a profile's password file.
 */
export function resolveProfile(
  config: ConfigFile,
  flags: ConnectionFlags = {},
  env: Env = process.env,
  options: {allowUnknown?: boolean; principal?: string} = {},
): ResolvedProfile {
  const envProfile = env.MKT_PROFILE || undefined // `MKT_PROFILE=` (empty) is unset, as for any shell variable
  const name = profileNameFor(config, flags.profile ?? envProfile ?? config.current ?? DEFAULT_PROFILE, options.principal)
  const stored: StoredProfile | undefined = config.profiles[name]
  const explicitlyNamed = Boolean(flags.profile ?? envProfile)
  if (!stored && explicitlyNamed && name !== DEFAULT_PROFILE && !options.allowUnknown) {
    const known = Object.keys(config.profiles)
    throw new MktError(
      `There is no profile named "${name}".`,
      known.length > 0 ? `Known profiles: ${known.join(', ')}.` : 'Run `mkt infra up` to create the local profile, or drop --profile.',
      'config',
    )
  }
  const p = stored ?? {}
  const sources = {} as ResolvedProfile['sources']

  let brokers: string[]
  if (flags['bootstrap-server']) [brokers, sources.brokers] = [parseBrokers(flags['bootstrap-server'], '--bootstrap-server'), 'flag']
  else if (env.MKT_BROKERS) [brokers, sources.brokers] = [parseBrokers(env.MKT_BROKERS, 'MKT_BROKERS'), 'env']
  else if (p.brokers) [brokers, sources.brokers] = [p.brokers, 'profile']
  else [brokers, sources.brokers] = [DEFAULT_BROKERS, 'default']

  let schemaRegistry: Profile['schemaRegistry']
  const registryOverride = flags['registry-url'] ?? env.MKT_SCHEMA_REGISTRY_URL
  if (registryOverride) {
    try {
      new URL(registryOverride)
    } catch {
      const origin = flags['registry-url'] ? '--registry-url' : 'MKT_SCHEMA_REGISTRY_URL'
      throw new MktError(`${origin} is "${registryOverride}", which is not a URL.`, `Use something like ${DEFAULT_REGISTRY_URL}.`, 'usage')
    }
    schemaRegistry = {...p.schemaRegistry, url: registryOverride}
    sources.schemaRegistry = flags['registry-url'] ? 'flag' : 'env'
  } else if (p.schemaRegistry) [schemaRegistry, sources.schemaRegistry] = [p.schemaRegistry, 'profile']
  else [schemaRegistry, sources.schemaRegistry] = [{url: DEFAULT_REGISTRY_URL}, 'default']

  let tls = p.tls
  sources.tls = tls ? 'profile' : 'default'
  if (env.MKT_TLS !== undefined || env.MKT_TLS_CA) {
    tls = {
      rejectUnauthorized: true,
      ...tls,
      enabled: env.MKT_TLS === undefined ? true : parseBool(env.MKT_TLS, 'MKT_TLS'),
      ...(env.MKT_TLS_CA ? {ca: env.MKT_TLS_CA} : {}),
    }
    sources.tls = 'env'
  }

  const saslFromEnv = envSasl(env, p.sasl, () => storedSasl(p.sasl, name)?.password)
  const sasl = saslFromEnv ?? storedSasl(p.sasl, name, options.allowUnknown)
  sources.sasl = saslFromEnv ? 'env' : p.sasl ? 'profile' : 'default'

  let stateDir: string
  if (env.MKT_STATE_DIR) [stateDir, sources.stateDir] = [env.MKT_STATE_DIR, 'env']
  else if (p.stateDir) [stateDir, sources.stateDir] = [p.stateDir, 'profile']
  else [stateDir, sources.stateDir] = [defaultStateDir(env), 'default']

  const url = (variable: string, value: string | undefined, example: string): string | undefined => {
    if (value === undefined) return undefined
    try {
      new URL(value)
    } catch {
      throw new MktError(`${variable} is "${value}", which is not a URL.`, `Use something like ${example}.`, 'usage')
    }
    return value
  }
  let searchUrl: string
  if (env.MKT_SEARCH_URL) [searchUrl, sources.searchUrl] = [url('MKT_SEARCH_URL', env.MKT_SEARCH_URL, DEFAULT_SEARCH_URL)!, 'env']
  else if (p.searchUrl) [searchUrl, sources.searchUrl] = [p.searchUrl, 'profile']
  else [searchUrl, sources.searchUrl] = [DEFAULT_SEARCH_URL, 'default']
  const connectUrl = url('MKT_CONNECT_URL', env.MKT_CONNECT_URL, DEFAULT_CONNECT_URL) ?? p.connectUrl

  return {
    profile: {
      name,
      brokers,
      schemaRegistry,
      ...(tls ? {tls} : {}),
      ...(sasl ? {sasl} : {}),
      stateDir: path.resolve(expandHome(stateDir)),
      ...(p.runtime ? {runtime: p.runtime} : {}),
      clientId: p.clientId ?? 'mkt',
      searchUrl,
      ...(connectUrl ? {connectUrl} : {}),
    },
    sources,
    stored: Boolean(stored),
  }
}

/** A copy safe to print: secrets masked. */
export function redactProfile(profile: Profile): Profile {
  return {
    ...profile,
    ...(profile.sasl ? {sasl: {...profile.sasl, password: '********'}} : {}),
    schemaRegistry: {...profile.schemaRegistry, ...(profile.schemaRegistry.password ? {password: '********'} : {})},
  }
}
