import {readConfigFile, resolveProfile} from '../config/index.js'
import type {Profile} from '../config/schema.js'

/**
 * The profile of the analytics cluster next to a main-cluster profile:
 * `<name>-analytics` (as `mkt infra up --stack full` writes it), as the same
 * principal when such a profile exists. Undefined when there is none, unless
 * it was named explicitly (then an unknown name is an error).
 */
export function analyticsClusterProfile(profile: Profile, explicit?: string): Profile | undefined {
  const [base, principal] = profile.name.split(':') as [string, string | undefined]
  const file = readConfigFile()
  const name = explicit ?? [`${base}-analytics${principal ? `:${principal}` : ''}`, `${base}-analytics`].find((n) => n in file.profiles)
  if (!name) return undefined
  // The main cluster's MKT_BROKERS / MKT_PROFILE must not leak into the other cluster's profile.
  const {MKT_BROKERS: _brokers, MKT_PROFILE: _profile, ...env} = process.env
  return resolveProfile(file, {profile: name}, env).profile
}
