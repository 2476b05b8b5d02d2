import {spawn} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterEach, describe, expect, inject, it} from 'vitest'

import {signalService} from '../../src/infra/index.js'
import {freshTopic} from '../helpers/topics.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

afterEach(async () => {
  await signalService(stateDir, 'kafka-1', 'CONT').catch(() => {})
})

/**
 * Runs the fixture: a sendOffsets left unanswered (the broker frozen), the
 * producer closed, then process.exit; the broker thawed 4 s after the close.
 * Resolves with how the child ended within waitMs of the thaw, or 'held'.
 */
async function closeUnderCall(mode: 'close' | 'raw', waitMs: number): Promise<{end: number | string; stdout: string}> {
  const topic = await freshTopic(profile, 'it-txn-close', 1)
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/txn-close.ts', mode], {
    cwd: root,
    env: {...process.env, MKT_TEST_PROFILE: JSON.stringify(profile), MKT_TEST_TOPIC: topic},
  })
  let stdout = ''
  const seen = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () =>
        stdout.includes(line) ? resolve() : child.exitCode !== null ? reject(new Error(`fixture ended before "${line}": ${stdout}`)) : undefined
      child.stdout.on('data', check)
      child.on('exit', check)
      check()
    })
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? `killed by ${signal}`)))
  await seen('ready')
  await signalService(stateDir, 'kafka-1', 'STOP')
  child.stdin.write('go\n')
  await seen('closed')
  await new Promise((r) => setTimeout(r, 4000))
  await signalService(stateDir, 'kafka-1', 'CONT')
  const end = await Promise.race([exited, new Promise<'held'>((r) => setTimeout(() => r('held'), waitMs))])
  child.kill('SIGKILL')
  return {end, stdout}
}

describe('closing a transactional producer under a call librdkafka has not answered', () => {
  it('waits for the call before destroying it, so the process can still exit', {timeout: 120_000}, async () => {
    const {end, stdout} = await closeUnderCall('close', 60_000)
    expect(stdout).toMatch(/sendOffsets: sendOffsetsToTransaction got no answer/)
    expect(end, stdout).toBe(0)
  })

  it('deadlocks when librdkafka destroys it under the call (the negative control)', {timeout: 120_000}, async () => {
    const {end, stdout} = await closeUnderCall('raw', 30_000)
    expect(stdout).toMatch(/sendOffsets: sendOffsetsToTransaction got no answer/)
    expect(end, stdout).toBe('held')
  })
})
