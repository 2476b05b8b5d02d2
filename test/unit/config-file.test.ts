import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {readConfigFile, saveProfile, useProfile} from '../../src/config/file.js'

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-cfg-')), 'config.yaml')

describe('config file', () => {
  it('treats a missing file as empty and writes profiles owner-only', () => {
    const file = tmp()
    expect(readConfigFile(file)).toEqual({profiles: {}})
    saveProfile('local', {brokers: ['127.0.0.1:9092']}, {file})
    saveProfile('prod', {brokers: ['k:9093'], sasl: {mechanism: 'scram-sha-512', username: 'u', password: 'p'}}, {file})
    const config = readConfigFile(file)
    expect(config.current).toBe('local') // the first profile becomes current; later ones do not take over
    expect(Object.keys(config.profiles)).toEqual(['local', 'prod'])
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    useProfile('prod', file)
    expect(readConfigFile(file).current).toBe('prod')
    expect(() => useProfile('nope', file)).toThrow(/no profile named "nope".*/)
  })

  it('names the file and the field of an invalid entry', () => {
    const file = tmp()
    fs.writeFileSync(file, 'profiles:\n  local:\n    brokers: ["localhost"]\n')
    expect(() => readConfigFile(file)).toThrow(new RegExp(`${file} is invalid at profiles\\.local\\.brokers\\.0: expected host:port`))
    fs.writeFileSync(file, 'profiles: [\n')
    expect(() => readConfigFile(file)).toThrow(/is not valid YAML/)
    fs.writeFileSync(file, 'profiles:\n  local:\n    brokerz: ["a:1"]\n')
    expect(() => readConfigFile(file)).toThrow(/brokerz/)
  })
})
