export * from './file.js'
export * from './paths.js'
export * from './resolve.js'
export * from './schema.js'

import {readConfigFile} from './file.js'
import {resolveProfile, type ConnectionFlags, type ResolvedProfile} from './resolve.js'

/** The active profile for a command: reads config.yaml and the environment. */
export function loadProfile(flags: ConnectionFlags = {}, options: {allowUnknown?: boolean; principal?: string} = {}): ResolvedProfile {
  return resolveProfile(readConfigFile(), flags, process.env, options)
}
