import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import {writePrivateFile} from '../config/private-file.js'
import {MktError} from '../errors.js'

/**
 * Generated passwords live in <state>/secrets/<user>.password (dir 0700, file
 * 0600): outside git, never printed, never on a command line. Profiles point
 * at the file (sasl.passwordFile), so rotating a password touches no profile.
 */
export function secretsDir(stateDir: string): string {
  return path.join(stateDir, 'secrets')
}

export function passwordFile(stateDir: string, user: string): string {
  return path.join(secretsDir(stateDir), `${user}.password`)
}

/** 32 random bytes as base64url: no character needs quoting in JAAS, properties or Java argument files. */
export function newPassword(): string {
  return randomBytes(32).toString('base64url')
}

/** Writes one password file, keeping the secrets directory owner-only (it may have been created by a copy or an older run). */
function writeSecret(stateDir: string, user: string, password: string): void {
  writePrivateFile(passwordFile(stateDir, user), `${password}\n`)
  fs.chmodSync(secretsDir(stateDir), 0o700)
}

export function readPassword(stateDir: string, user: string): string | undefined {
  try {
    return fs.readFileSync(passwordFile(stateDir, user), 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new MktError(
      `Cannot read the password of ${user} (${passwordFile(stateDir, user)}): ${(error as Error).message}.`,
      'Check the permissions of the secrets directory.',
      'config',
    )
  }
}

/** The user's password, generated and stored the first time it is asked for. */
export function ensurePassword(stateDir: string, user: string): string {
  const existing = readPassword(stateDir, user)
  if (existing) return existing
  const password = newPassword()
  writeSecret(stateDir, user, password)
  return password
}

export function storePassword(stateDir: string, user: string, password: string): void {
  writeSecret(stateDir, user, password)
}

export function forgetPassword(stateDir: string, user: string): void {
  fs.rmSync(passwordFile(stateDir, user), {force: true})
}

/** The users that have a stored password. */
export function storedUsers(stateDir: string): string[] {
  try {
    return fs
      .readdirSync(secretsDir(stateDir))
      .filter((f) => f.endsWith('.password'))
      .map((f) => f.slice(0, -'.password'.length))
      .sort()
  } catch {
    return []
  }
}
