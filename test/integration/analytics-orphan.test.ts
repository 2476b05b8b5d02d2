import {spawn} from 'node:child_process'
import {setTimeout as sleep} from 'node:timers/promises'

import {describe, expect, it} from 'vitest'

import {findPython} from '../../src/analytics/index.js'
import {packageRoot} from '../../src/package-root.js'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * The job runs in a process group of its own, so a SIGKILLed `mkt` cannot
 * take it down by the group: the job's own watch must end it. A parent
 * spawns the job's watch as runAnalytics spawns the job (detached), then
 * dies by SIGKILL.
 */
async function orphan(watch: boolean): Promise<boolean> {
  const {python} = await findPython()
  const code = [
    'import sys, time',
    `sys.path.insert(0, ${JSON.stringify(`${packageRoot()}/spark`)})`,
    'import analytics_job',
    ...(watch ? ['analytics_job.end_with_parent()'] : []),
    'time.sleep(60)',
  ].join('\n')
  const parentScript = `const {spawn} = require('node:child_process')
const job = spawn(${JSON.stringify(python)}, ['-c', ${JSON.stringify(code)}], {detached: true, stdio: ['ignore', 'pipe', 'ignore']})
setTimeout(() => console.log(job.pid), 8000) // its imports done and its watch started
setInterval(() => {}, 1000)`
  const parent = spawn(process.execPath, ['-e', parentScript], {stdio: ['ignore', 'pipe', 'inherit']})
  const jobPid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))))
  parent.kill('SIGKILL')
  await sleep(4000)
  const survived = alive(jobPid)
  if (survived) process.kill(jobPid, 'SIGKILL')
  return survived
}

describe('the analytics job when mkt is killed', () => {
  it('ends with its parent: it does not go on alone after `mkt analytics run` is SIGKILLed', async () => {
    expect(await orphan(true)).toBe(false)
    // Control: without the watch the job outlives its parent (what a CI run left behind before it).
    expect(await orphan(false)).toBe(true)
  }, 60_000)
})
