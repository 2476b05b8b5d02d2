import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const dir = mkdtempSync(path.join(os.tmpdir(), 'mkt-exit-now-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Runs the fixture with a libuv thread blocked on a FIFO; resolves with its exit code, or 'held' if it has not ended heldMs after it began to. */
async function endWithBlockedThread(mode: 'now' | 'exit', heldMs: number): Promise<number | string> {
  const fifo = path.join(dir, `fifo-${mode}`)
  execFileSync('mkfifo', [fifo])
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/blocked-thread-exit.ts', mode, fifo], {cwd: root})
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? `killed by ${signal}`)))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('ending') && resolve())
    child.on('exit', () => reject(new Error(`fixture ended before it began to: ${stdout}`)))
  })
  const end = await Promise.race([exited, new Promise<'held'>((r) => setTimeout(() => r('held'), heldMs))])
  child.kill('SIGKILL')
  return end
}

describe('exitNow', () => {
  it('ends the process with its code while a libuv thread is blocked', {timeout: 30_000}, async () => {
    expect(await endWithBlockedThread('now', 5000)).toBe(7)
  })

  it('where process.exit stays hung (the negative control)', {timeout: 30_000}, async () => {
    expect(await endWithBlockedThread('exit', 3000)).toBe('held')
  })
})
