import fs from 'node:fs'
import YAML from 'yaml'

import {MktError} from '../errors.js'
import {configFileSchema, type ConfigFile, type StoredProfile} from './schema.js'
import {configFilePath} from './paths.js'
import {writePrivateFile} from './private-file.js'

/** Reads config.yaml; a missing file is an empty config, a broken one a clear error. */
export function readConfigFile(file = configFilePath()): ConfigFile {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {profiles: {}}
    throw new MktError(
      `Cannot read the config file ${file}: ${(error as Error).message}.`,
      'Check its permissions, or point MKT_CONFIG at another file.',
      'config',
    )
  }

  let raw: unknown
  try {
    raw = YAML.parse(text) ?? {}
  } catch (error) {
    throw new MktError(
      `The config file ${file} is not valid YAML: ${(error as Error).message}`,
      'Fix the file or move it away; `mkt infra up` writes a fresh local profile.',
      'config',
    )
  }

  const parsed = configFileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = issue.path.join('.') || '(top level)'
    throw new MktError(
      `The config file ${file} is invalid at ${where}: ${issue.message}.`,
      'Fix that entry; `mkt profile show` prints what a valid profile looks like.',
      'config',
    )
  }
  return parsed.data
}

/** Writes atomically with owner-only permissions: profiles may hold passwords. */
export function writeConfigFile(config: ConfigFile, file = configFilePath()): void {
  writePrivateFile(file, YAML.stringify(config, {aliasDuplicateObjects: false}))
}

export function saveProfile(name: string, profile: StoredProfile, options: {makeCurrent?: boolean; file?: string} = {}): void {
  saveProfiles({[name]: profile}, {...options, current: name})
}

/**
 * Writes several profiles in one go (`infra up` writes one per principal);
 * `current` becomes the current profile when none is (or with makeCurrent).
 */
export function saveProfiles(profiles: Record<string, StoredProfile>, options: {current?: string; makeCurrent?: boolean; file?: string} = {}): void {
  const file = options.file ?? configFilePath()
  const config = readConfigFile(file)
  Object.assign(config.profiles, profiles)
  if (options.current && (options.makeCurrent || !config.current)) config.current = options.current
  writeConfigFile(config, file)
}

export function useProfile(name: string, file = configFilePath()): void {
  const config = readConfigFile(file)
  if (!config.profiles[name]) {
    const known = Object.keys(config.profiles)
    throw new MktError(
      `There is no profile named "${name}" in ${file}.`,
      known.length > 0 ? `Known profiles: ${known.join(', ')}.` : 'Run `mkt infra up` to create the local profile.',
      'notFound',
    )
  }
  config.current = name
  writeConfigFile(config, file)
}
