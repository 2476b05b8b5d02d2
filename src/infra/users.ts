import fs from 'node:fs'

import {readConfigFile, saveProfile, writeConfigFile} from '../config/file.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {ADMIN_PRINCIPAL, BROKER_PRINCIPAL, checkUserName, CONTROLLER_PRINCIPAL, SERVICE_PRINCIPALS, SUPER_USERS} from '../security/principals.js'
import {forgetPassword, newPassword, passwordFile, storedUsers, storePassword} from '../security/secrets.js'
import {deleteScramUser, describeScramUsers, upsertScramUser} from './scram-users.js'
import {writePrivateFile} from '../config/private-file.js'

export interface UserInfo {
  name: string
  /** super: admin and the cluster's own; service: one of mkt's services; other: created with `users create`. */
  kind: 'super' | 'service' | 'other'
  mechanisms: string[]
  /** A password file under the state dir (what the profiles point at). */
  passwordStored: boolean
}

function kindOf(name: string): UserInfo['kind'] {
  if ((SUPER_USERS as readonly string[]).includes(name)) return 'super'
  return (SERVICE_PRINCIPALS as readonly string[]).includes(name) ? 'service' : 'other'
}

/** The profile family a profile belongs to: "local" for local and local:shop. */
function baseName(profile: Profile): string {
  return profile.name.split(':')[0]!
}

function checkName(name: string): void {
  const problem = checkUserName(name)
  if (problem) throw new MktError(`${problem}.`, 'For example `mkt users create reporting`.', 'usage')
}

export async function listUsers(admin: Profile): Promise<UserInfo[]> {
  const scram = await describeScramUsers(admin)
  const stored = new Set(storedUsers(admin.stateDir))
  const users: UserInfo[] = scram.map((u) => ({name: u.name, kind: kindOf(u.name), mechanisms: u.mechanisms, passwordStored: stored.has(u.name)}))
  // The controller authenticates with PLAIN from the brokers' own config: not a SCRAM user.
  if (stored.has(CONTROLLER_PRINCIPAL))
    users.push({name: CONTROLLER_PRINCIPAL, kind: 'super', mechanisms: ['PLAIN (controller listener)'], passwordStored: true})
  return users
}

async function exists(admin: Profile, name: string): Promise<boolean> {
  return (await describeScramUsers(admin)).some((u) => u.name === name)
}

/** Creates a SCRAM user with a generated password and a profile NAME:<user> for it; it may do nothing until an ACL allows it. */
export async function createUser(
  admin: Profile,
  name: string,
  options: {configFile?: string} = {},
): Promise<{name: string; profile: string; passwordFile: string}> {
  checkName(name)
  if (kindOf(name) === 'super' && name !== ADMIN_PRINCIPAL) throw new MktError(`"${name}" is reserved for the cluster itself.`, 'Choose another name.', 'usage')
  if (await exists(admin, name)) throw new MktError(`User "${name}" exists already.`, `Use \`mkt users rotate ${name}\` for a new password.`, 'usage')
  const password = newPassword()
  await upsertScramUser(admin, name, password)
  storePassword(admin.stateDir, name, password)
  const profileName = `${baseName(admin)}:${name}`
  const config = readConfigFile(options.configFile)
  const template = config.profiles[admin.name] ?? config.profiles[baseName(admin)]
  if (template?.sasl) {
    saveProfile(
      profileName,
      {...template, sasl: {mechanism: 'scram-sha-512', username: name, passwordFile: passwordFile(admin.stateDir, name)}},
      options.configFile ? {file: options.configFile} : {},
    )
  }
  return {name, profile: profileName, passwordFile: passwordFile(admin.stateDir, name)}
}

/**
 * A new password for the user. The new one is staged in a private file
 * before the brokers learn it, so a crash in between loses neither.
 */
export async function rotateUser(admin: Profile, name: string): Promise<{name: string; passwordFile: string}> {
  checkName(name)
  if (name === BROKER_PRINCIPAL || name === CONTROLLER_PRINCIPAL)
    throw new MktError(
      `The ${name} password is in every node's configuration and cannot be rotated while the cluster runs.`,
      'Rotate it by recreating the runtime (`mkt infra down --purge`).',
      'usage',
    )
  if (!(await exists(admin, name))) throw new MktError(`There is no user "${name}".`, 'See `mkt users list`.', 'notFound')
  const password = newPassword()
  const staged = `${passwordFile(admin.stateDir, name)}.new`
  writePrivateFile(staged, `${password}\n`)
  await upsertScramUser(admin, name, password)
  storePassword(admin.stateDir, name, password)
  fs.rmSync(staged, {force: true})
  return {name, passwordFile: passwordFile(admin.stateDir, name)}
}

export async function deleteUser(admin: Profile, name: string, options: {configFile?: string} = {}): Promise<{name: string; removedProfiles: string[]}> {
  checkName(name)
  if (kindOf(name) === 'super')
    throw new MktError(`"${name}" is a super user the cluster needs; it cannot be deleted.`, 'Delete service or other users only.', 'usage')
  if (!(await exists(admin, name))) throw new MktError(`There is no user "${name}".`, 'See `mkt users list`.', 'notFound')
  await deleteScramUser(admin, name)
  forgetPassword(admin.stateDir, name)
  const config = readConfigFile(options.configFile)
  const removedProfiles = Object.keys(config.profiles).filter((p) => p === `${baseName(admin)}:${name}`)
  for (const p of removedProfiles) delete config.profiles[p]
  if (removedProfiles.length > 0) writeConfigFile(config, options.configFile)
  return {name, removedProfiles}
}
