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
 * producer closed, then the process ends; the broker thawed frozenMs after
 * the close. Resolves with how the child ended while the broker was frozen
 * (`frozenEnd`) and within waitMs of the thaw (`end`), or 'held'.
 */
async function closeUnderCall(
  mode: 'close' | 'abandon' | 'raw',
  frozenMs: number,
  waitMs: number,
): Promise<{frozenEnd: number | string; end: number | string; stdout: string}> {
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
  const frozenEnd = await Promise.race([exited, new Promise<'held'>((r) => setTimeout(() => r('held'), frozenMs))])
  await signalService(stateDir, 'kafka-1', 'CONT')
  const end = await Promise.race([exited, new Promise<'held'>((r) => setTimeout(() => r('held'), waitMs))])
  child.kill('SIGKILL')
  return {frozenEnd, end, stdout}
}

describe('closing a transactional producer under a call librdkafka has not answered', () => {
  it('waits for the call before destroying it, so the process can still exit', {timeout: 120_000}, async () => {
    const {frozenEnd, end, stdout} = await closeUnderCall('close', 4000, 60_000)
    expect(stdout).toMatch(/sendOffsets: sendOffsetsToTransaction got no answer/)
    expect(frozenEnd, stdout).toBe('held')
    expect(end, stdout).toBe(0)
  })

  it('deadlocks when librdkafka destroys it under the call (the negative control)', {timeout: 120_000}, async () => {
    const {end, stdout} = await closeUnderCall('raw', 4000, 30_000)
    expect(stdout).toMatch(/sendOffsets: sendOffsetsToTransaction got no answer/)
    expect(end, stdout).toBe('held')
  })

  it("ends with the command's exit code when the call is still unanswered after the wait", {timeout: 120_000}, async () => {
    const {frozenEnd, stdout} = await closeUnderCall('abandon', 20_000, 30_000)
    expect(stdout).toMatch(/librdkafka never answered a producer call .*"exitCode":7/)
    expect(frozenEnd, stdout).toBe(7)
  })
})
