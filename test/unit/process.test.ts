import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {MktError} from '../../src/errors.js'
import type {ServiceNode} from '../../src/infra/graph.js'
import {processState, startProcess, stopProcess} from '../../src/infra/process.js'
import {waitForHttp} from '../../src/infra/readiness.js'

// Real child processes (node itself), no services: the supervision paths a broker would take.
function node(name: string, script: string): {node: ServiceNode; launch: Parameters<typeof startProcess>[1]} {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `mkt-proc-${name}-`))
  return {
    node: {name, kind: 'kafka', ports: {}, dependsOn: [], portFlag: '--kafka-port', dataDir},
    launch: {command: process.execPath, args: ['-e', script, '--', `-Dmkt.service=${name}`], env: {}, cwd: dataDir},
  }
}

describe('supervised processes', () => {
  it('reports a service that dies during start with the tail of its log', async () => {
    const {node: n, launch} = node('dies', "console.error('FATAL: cannot bind 127.0.0.1:9092'); process.exit(3)")
    startProcess(n.dataDir, launch)
    const error = await waitForHttp(n, 'http://127.0.0.1:1/health', 20_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MktError)
    expect((error as MktError).message).toMatch(/dies exited while starting \(it exited with code 3\)/)
    expect((error as MktError).message).toContain('FATAL: cannot bind 127.0.0.1:9092')
    expect((error as MktError).exitCode).toBe(6)
    expect(processState(n.dataDir, 'dies').state).toBe('crashed')
  })

  it('names the signal that killed a service that left nothing in its log', async () => {
    const {node: n, launch} = node('killed', "setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200)")
    startProcess(n.dataDir, launch)
    const error = await waitForHttp(n, 'http://127.0.0.1:1/health', 20_000).catch((e: unknown) => e)
    expect((error as MktError).message).toMatch(/killed exited while starting \(it was killed by SIGKILL\)/)
  })

  it('stops gracefully on SIGTERM and kills what ignores it after the timeout', async () => {
    const polite = node('polite', "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)")
    startProcess(polite.node.dataDir, polite.launch)
    await new Promise((r) => setTimeout(r, 300))
    expect(processState(polite.node.dataDir, 'polite').state).toBe('running')
    expect(await stopProcess(polite.node.dataDir, 'polite', 5000)).toBe('stopped')

    const stubborn = node('stubborn', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)")
    startProcess(stubborn.node.dataDir, stubborn.launch)
    await new Promise((r) => setTimeout(r, 300))
    expect(await stopProcess(stubborn.node.dataDir, 'stubborn', 500)).toBe('killed')
    expect(processState(stubborn.node.dataDir, 'stubborn').state).toBe('stopped')
  })

  it('does not trust a pid whose process is not ours', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-proc-stale-'))
    // pid 1 is alive but is not a service we started: its command line lacks our marker.
    fs.writeFileSync(path.join(dataDir, 'process.json'), JSON.stringify({pid: 1, startedAt: new Date().toISOString(), command: [], logFile: ''}))
    expect(processState(dataDir, 'kafka-1').state).toBe('crashed')
  })
})
