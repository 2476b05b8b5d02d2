import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * Writes a file only its owner can read (0600), atomically: a temp file
 * renamed over it, so a crash never leaves half a config or half a secret.
 * A missing directory is created 0700; an existing one is left as it is.
 */
export function writePrivateFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700})
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    fs.writeFileSync(tmp, content, {mode: 0o600, flag: 'wx'})
    fs.renameSync(tmp, file)
  } catch (error) {
    fs.rmSync(tmp, {force: true})
    throw error
  }
}
