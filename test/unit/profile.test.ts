import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {DEFAULT_BROKERS, DEFAULT_REGISTRY_URL, redactProfile, resolveProfile} from '../../src/config/resolve.js'
import type {ConfigFile} from '../../src/config/schema.js'
import {MktError} from '../../src/errors.js'

const config: ConfigFile = {
  current: 'local',
  profiles: {
    local: {brokers: ['127.0.0.1:9092'], schemaRegistry: {url: 'http://127.0.0.1:8081/apis/ccompat/v7'}, stateDir: '/var/mkt'},
    prod: {
      brokers: ['kafka-1:9093', 'kafka-2:9093'],
      schemaRegistry: {url: 'https://sr.example:8081'},
      sasl: {mechanism: 'scram-sha-512', username: 'shop', password: 's3cret'},
      tls: {enabled: true, ca: '/etc/ca.pem', rejectUnauthorized: true},
    },
  },
}

describe('profile precedence: flag > MKT_* env > profile > default', () => {
  it('uses the current profile when nothing overrides it', () => {
    const {profile, sources} = resolveProfile(config, {}, {})
    expect(profile.name).toBe('local')
    expect(profile.brokers).toEqual(['127.0.0.1:9092'])
    expect(profile.stateDir).toBe('/var/mkt')
    expect(sources).toMatchObject({brokers: 'profile', schemaRegistry: 'profile', stateDir: 'profile', sasl: 'default'})
  })

  it('lets MKT_* env beat the profile and a flag beat the env', () => {
    const env = {MKT_BROKERS: 'env-host:9092', MKT_SCHEMA_REGISTRY_URL: 'http://env:8081'}
    const fromEnv = resolveProfile(config, {}, env)
    expect(fromEnv.profile.brokers).toEqual(['env-host:9092'])
    expect(fromEnv.profile.schemaRegistry.url).toBe('http://env:8081')
    expect(fromEnv.sources.brokers).toBe('env')

    const fromFlag = resolveProfile(config, {'bootstrap-server': 'flag-a:1,flag-b:2', 'registry-url': 'http://flag:1'}, env)
    expect(fromFlag.profile.brokers).toEqual(['flag-a:1', 'flag-b:2'])
    expect(fromFlag.profile.schemaRegistry.url).toBe('http://flag:1')
    expect(fromFlag.sources).toMatchObject({brokers: 'flag', schemaRegistry: 'flag'})
  })

  it('selects the profile by flag, then MKT_PROFILE, then current', () => {
    expect(resolveProfile(config, {}, {MKT_PROFILE: 'prod'}).profile.name).toBe('prod')
    expect(resolveProfile(config, {profile: 'local'}, {MKT_PROFILE: 'prod'}).profile.name).toBe('local')
    // An empty MKT_PROFILE is unset: the config's current profile, not a profile named "".
    expect(resolveProfile(config, {}, {MKT_PROFILE: ''}).profile.name).toBe(resolveProfile(config, {}, {}).profile.name)
  })

  it('falls back to defaults with no config at all', () => {
    const {profile, sources, stored} = resolveProfile({profiles: {}}, {}, {HOME: '/home/u', XDG_STATE_HOME: '/state'})
    expect(stored).toBe(false)
    expect(profile.brokers).toEqual(DEFAULT_BROKERS)
    expect(profile.schemaRegistry.url).toBe(DEFAULT_REGISTRY_URL)
    expect(profile.stateDir).toBe('/state/mkt')
    expect(sources.brokers).toBe('default')
  })

  it('overrides SASL credentials field by field from the env, keeping the mechanism', () => {
    const {profile, sources} = resolveProfile(config, {profile: 'prod'}, {MKT_SASL_PASSWORD: 'rotated'})
    expect(profile.sasl).toEqual({mechanism: 'scram-sha-512', username: 'shop', password: 'rotated'})
    expect(sources.sasl).toBe('env')
    expect(redactProfile(profile).sasl!.password).toBe('********')
  })

  it('turns TLS on from MKT_TLS_CA alone', () => {
    const {profile} = resolveProfile(config, {}, {MKT_TLS_CA: '/certs/ca.pem'})
    expect(profile.tls).toMatchObject({enabled: true, ca: '/certs/ca.pem', rejectUnauthorized: true})
  })

  it('rejects an unknown named profile, a malformed broker list and a half-set SASL pair', () => {
    expect(() => resolveProfile(config, {profile: 'staging'}, {})).toThrow(/no profile named "staging"/)
    expect(() => resolveProfile(config, {'bootstrap-server': 'no-port'}, {})).toThrow(/--bootstrap-server has "no-port", which is not host:port/)
    expect(() => resolveProfile(config, {}, {MKT_SASL_USERNAME: 'only-user'})).toThrow(MktError)
    expect(() => resolveProfile(config, {}, {MKT_TLS: 'maybe'})).toThrow(/MKT_TLS is "maybe"/)
  })

  it('accepts an unknown profile name when asked to (infra up creates it)', () => {
    const {profile, stored} = resolveProfile(config, {profile: 'staging'}, {}, {allowUnknown: true})
    expect(profile.name).toBe('staging')
    expect(stored).toBe(false)
  })
})

describe('per-principal profiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-profile-'))
  const passwordFile = path.join(dir, 'filter.password')
  fs.writeFileSync(passwordFile, 'from-the-file\n', {mode: 0o600})
  const secured: ConfigFile = {
    current: 'local',
    profiles: {
      local: {brokers: ['127.0.0.1:9092'], sasl: {mechanism: 'scram-sha-512', username: 'admin', password: 'a'}},
      'local:filter': {brokers: ['127.0.0.1:9092'], sasl: {mechanism: 'scram-sha-512', username: 'filter', passwordFile}},
      'local:broken': {brokers: ['127.0.0.1:9092'], sasl: {mechanism: 'scram-sha-512', username: 'x', passwordFile: path.join(dir, 'missing')}},
    },
  }

  it("runs a service command as NAME:<principal> and reads that profile's password file", () => {
    const {profile} = resolveProfile(secured, {}, {}, {principal: 'filter'})
    expect(profile.name).toBe('local:filter')
    expect(profile.sasl).toEqual({mechanism: 'scram-sha-512', username: 'filter', password: 'from-the-file'})
  })

  it('keeps the base profile for a principal without one, for commands without a principal and for a name with a colon', () => {
    expect(resolveProfile(secured, {}, {}, {principal: 'shop'}).profile.name).toBe('local')
    expect(resolveProfile(secured, {}, {}).profile.sasl?.username).toBe('admin')
    expect(resolveProfile(secured, {profile: 'local:filter'}, {}, {principal: 'shop'}).profile.name).toBe('local:filter')
    expect(resolveProfile(secured, {}, {MKT_PROFILE: 'local'}, {principal: 'filter'}).profile.name).toBe('local:filter')
  })

  it('names the profile and the file when a password file cannot be read', () => {
    expect(() => resolveProfile(secured, {profile: 'local:broken'}, {})).toThrow(
      /Cannot read the password file .*missing of profile "local:broken": it does not exist/,
    )
  })

  it('lets the runtime commands (allowUnknown) use a profile whose password file is gone, as after `infra down --purge`', () => {
    const {profile} = resolveProfile(secured, {profile: 'local:broken'}, {}, {allowUnknown: true})
    expect(profile.sasl).toBeUndefined()
    expect(profile.brokers).toEqual(['127.0.0.1:9092'])
  })

  it('lets MKT_SASL_PASSWORD stand in for the file', () => {
    expect(resolveProfile(secured, {profile: 'local:broken'}, {MKT_SASL_PASSWORD: 'env'}).profile.sasl?.password).toBe('env')
  })
})
