import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {MktError} from '../../src/errors.js'
import {parseDrillSignal, restartService, signalService} from '../../src/infra/drills.js'
import {buildServiceGraph, DEFAULT_LAYOUT, type RuntimeLayout} from '../../src/infra/graph.js'
import {localRuntimeStatus, startLocalRuntime, stopLocalRuntime} from '../../src/infra/local-runtime.js'
import {parseProcStat, processState, startProcess, stopProcess} from '../../src/infra/process.js'
import {writeRuntimeState} from '../../src/infra/state.js'

describe('process state from /proc/PID/stat', () => {
  it('reads the state letter after the command name', () => {
    expect(parseProcStat('4242 (java) S 1 4242 4242 0 -1 4194560 52041 0 0 0')).toBe('S')
    expect(parseProcStat('4242 (java) T 1 4242 4242 0 -1')).toBe('T')
    expect(parseProcStat('17 (kworker/0:1) I 2 0 0 0')).toBe('I')
  })

  it('copes with spaces and parentheses in the command name', () => {
    expect(parseProcStat('99 (my (odd) name) T 1 2 3')).toBe('T')
    expect(parseProcStat('99 (a) b) R 1')).toBe('R')
    expect(parseProcStat('99 ()) Z 1')).toBe('Z')
  })

  it('returns undefined for text that is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined()
    expect(parseProcStat('no parentheses here')).toBeUndefined()
    expect(parseProcStat('12 (truncated)')).toBeUndefined()
  })
})

describe('drill signals', () => {
  it('accepts the four drill signals by name, with or without SIG, in any case, or by number', () => {
    expect(parseDrillSignal('KILL')).toBe('KILL')
    expect(parseDrillSignal('stop')).toBe('STOP')
    expect(parseDrillSignal('SIGCONT')).toBe('CONT')
    expect(parseDrillSignal(' sigterm ')).toBe('TERM')
    expect(parseDrillSignal('9')).toBe('KILL')
    expect(parseDrillSignal(String(os.constants.signals.SIGSTOP))).toBe('STOP')
  })

  it('refuses other signals with a usage error naming the valid ones', () => {
    for (const input of ['HUP', 'SIGINT', '1', '', 'KILLALL']) {
      const error = (() => {
        try {
          return parseDrillSignal(input)
        } catch (e) {
          return e
        }
      })()
      expect(error, input).toBeInstanceOf(MktError)
      expect((error as MktError).exitCode).toBe(2)
      expect((error as MktError).suggestion).toContain('KILL, STOP, CONT, TERM')
    }
  })
})

// A fake runtime: runtime.json plus node processes carrying each service's marker, no Java.
const dirs: string[] = []
const pids: number[] = []

function fakeRuntime(script = "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)"): string {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-drill-'))
  dirs.push(stateDir)
  const layout: RuntimeLayout = {...DEFAULT_LAYOUT, brokers: 1, host: '127.0.0.1', kafkaPort: 1, registryPort: 3, stateDir, security: 'plaintext'}
  writeRuntimeState({version: 1, runtime: 'local', layout, clusterId: 'test-cluster', createdAt: new Date().toISOString()})
  for (const node of buildServiceGraph(layout)) {
    const record = startProcess(node.dataDir, {command: process.execPath, args: ['-e', script, '--', `-Dmkt.service=${node.name}`], env: {}, cwd: node.dataDir})
    pids.push(record.pid)
  }
  return stateDir
}

const stateOf = (stateDir: string, name: string) => localRuntimeStatus(stateDir).services.find((s) => s.name === name)!

async function rejection(promise: Promise<unknown>): Promise<MktError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MktError)
  return error as MktError
}

afterEach(() => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true})
})

describe('mkt infra kill on supervised processes', () => {
  it('freezes with STOP (status frozen, pid and uptime kept) and thaws with CONT', async () => {
    const stateDir = fakeRuntime()
    const pid = stateOf(stateDir, 'kafka-1').pid
    const frozen = await signalService(stateDir, 'kafka-1', 'STOP')
    expect(frozen).toMatchObject({service: 'kafka-1', pid, signal: 'STOP', before: 'running', after: 'frozen'})
    expect(stateOf(stateDir, 'kafka-1')).toMatchObject({state: 'frozen', pid})
    expect(stateOf(stateDir, 'kafka-1').uptimeSeconds).toBeTypeOf('number')
    expect(stateOf(stateDir, 'registry').state).toBe('running') // untouched

    const thawed = await signalService(stateDir, 'kafka-1', 'CONT')
    expect(thawed).toMatchObject({before: 'frozen', after: 'running', pid})
    expect(stateOf(stateDir, 'kafka-1').state).toBe('running')
  })

  it('kills with KILL (status crashed), then says the service is not running and how to start it', async () => {
    const stateDir = fakeRuntime()
    const killed = await signalService(stateDir, 'registry')
    expect(killed).toMatchObject({service: 'registry', signal: 'KILL', after: 'crashed'})
    expect(stateOf(stateDir, 'registry').state).toBe('crashed')
    expect(stateOf(stateDir, 'kafka-1').state).toBe('running')

    const again = await rejection(signalService(stateDir, 'registry', 'STOP'))
    expect(again.code).toBe('notFound')
    expect(again.message).toBe(`registry is not running: its process ${killed.pid} is gone (crashed or killed).`)
    expect(again.suggestion).toContain('mkt infra restart registry')
    expect(again.suggestion).toContain('mkt infra up')
  })

  it('lets a frozen process act on TERM (it is thawed so that it can exit)', async () => {
    const stateDir = fakeRuntime()
    await signalService(stateDir, 'kafka-1', 'STOP')
    await signalService(stateDir, 'kafka-1', 'TERM')
    await expect.poll(() => stateOf(stateDir, 'kafka-1').state, {timeout: 5000}).toBe('crashed')
  })

  it('names the valid services for an unknown one', async () => {
    const stateDir = fakeRuntime()
    for (const attempt of [signalService(stateDir, 'kafka-2'), restartService(stateDir, 'zookeeper')]) {
      const error = await rejection(attempt)
      expect(error.code).toBe('notFound')
      expect(error.message).toMatch(/There is no service "(kafka-2|zookeeper)" in this runtime/)
      expect(error.suggestion).toBe('Services: kafka-1, registry.')
    }
  })

  it('refuses a service of a state dir without a runtime', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-drill-none-'))
    dirs.push(empty)
    const error = await rejection(signalService(empty, 'kafka-1'))
    expect(error.code).toBe('notFound')
    expect(error.message).toContain('There is no local runtime')
  })
})

describe('frozen processes in stop and up', () => {
  it('stops a frozen process gracefully: SIGCONT before SIGTERM, no SIGKILL needed', async () => {
    const stateDir = fakeRuntime()
    await signalService(stateDir, 'kafka-1', 'STOP')
    const dataDir = path.join(stateDir, 'kafka-1')
    expect(await stopProcess(dataDir, 'kafka-1', 5000)).toBe('stopped')
    expect(processState(dataDir, 'kafka-1').state).toBe('stopped')
  })

  it('infra down stops frozen services too', async () => {
    const stateDir = fakeRuntime()
    await signalService(stateDir, 'registry', 'STOP')
    const result = await stopLocalRuntime(stateDir, {timeoutMs: 5000})
    expect(result.stopped).toEqual([
      {name: 'registry', result: 'stopped'},
      {name: 'kafka-1', result: 'stopped'},
    ])
  })

  it('infra up thaws a frozen service instead of starting a second one', async () => {
    const stateDir = fakeRuntime()
    const {pid} = await signalService(stateDir, 'kafka-1', 'STOP')
    const notes: string[] = []
    const result = await startLocalRuntime({stateDir, onProgress: (e) => e.type === 'note' && notes.push(e.message)})
    expect(result).toMatchObject({alreadyRunning: true, started: [], thawed: ['kafka-1']})
    expect(notes).toEqual(['kafka-1 was frozen (SIGSTOP); sent it SIGCONT.'])
    await expect.poll(() => stateOf(stateDir, 'kafka-1').state, {timeout: 5000}).toBe('running')
    expect(stateOf(stateDir, 'kafka-1').pid).toBe(pid)
  })
})
