import {spawn} from 'node:child_process'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

/** Starts the fixture worker, sends SIGTERM once it is up; resolves with its exit code, stderr and how long it took to end. */
function stopWorker(mode: 'held' | 'clean'): Promise<{code: number | null; stderr: string; ms: number}> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/held-worker.ts', mode], {cwd: root, env: {...process.env, MKT_LOG_LEVEL: 'info'}})
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    let signalled = 0
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return
      signalled = Date.now()
      child.kill('SIGTERM')
    })
    child.on('error', reject)
    child.on('exit', (code) => resolve({code, stderr, ms: Date.now() - signalled}))
  })
}

describe('a stopped worker ends its process', () => {
  it('within the grace, naming what still held it, when its stop left a handle behind', {timeout: 30_000}, async () => {
    const {code, stderr, ms} = await stopWorker('held')
    expect(code).toBe(0)
    expect(stderr).toContain('stopped, but the process is still held: exiting')
    expect(stderr).toMatch(/"heldBy":\[[^\]]*"Timeout"/)
    expect(ms).toBeGreaterThanOrEqual(1400)
  })

  it('at once, without the warning, when nothing holds it', {timeout: 30_000}, async () => {
    const {code, stderr} = await stopWorker('clean')
    expect(code).toBe(0)
    expect(stderr).not.toContain('still held')
  })
})
