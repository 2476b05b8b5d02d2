import {setTimeout as sleep} from 'node:timers/promises'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/** How to start one service process. */
export interface LaunchSpec {
  command: string
  args: string[]
  env: Record<string, string>
  cwd: string
}

/** What we remember about a started process, next to its data. */
export interface ProcessRecord {
  pid: number
  startedAt: string
  command: string[]
  logFile: string
}

export function pidFile(dataDir: string): string {
  return path.join(dataDir, 'process.json')
}

export function logFile(dataDir: string): string {
  return path.join(dataDir, 'service.log')
}

export function readRecord(dataDir: string): ProcessRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(pidFile(dataDir), 'utf8')) as ProcessRecord
  } catch {
    return undefined
  }
}

/**
 * Alive and really ours: a pid can be reused after a crash, so the command
 * line must still carry the -Dmkt.service marker we started a JVM with, or
 * (Prometheus, Alertmanager: no such flag) be exactly the command we
 * recorded, whose paths name this state dir.
 */
export function isOurs(pid: number, serviceName: string, command?: string[]): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes(`-Dmkt.service=${serviceName}\0`) || (command !== undefined && cmdline === `${command.join('\0')}\0`)
  } catch {
    return true // no /proc (macOS): trust kill(0)
  }
}

/** frozen: alive but stopped by SIGSTOP (`mkt infra kill --signal STOP`); it holds its ports and answers nothing. */
export type ProcessState = 'running' | 'frozen' | 'stopped' | 'crashed'

/** Running or frozen: the process exists and holds its ports. */
export function isAlive(state: ProcessState): boolean {
  return state === 'running' || state === 'frozen'
}

/**
 * The state letter of a /proc/PID/stat line (R, S, D, T, Z…). The command
 * name in parentheses may itself hold spaces and parentheses, so the state
 * is the field after the last ')'.
 */
export function parseProcStat(text: string): string | undefined {
  const end = text.lastIndexOf(')')
  if (end < 0) return undefined
  return /^\s+(\S)/.exec(text.slice(end + 1))?.[1]
}

/** The kernel's state letter for a pid; undefined without /proc (macOS) or when the process is gone. */
export function kernelState(pid: number): string | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

export function processState(dataDir: string, serviceName: string): {state: ProcessState; record?: ProcessRecord} {
  const record = readRecord(dataDir)
  if (!record) return {state: 'stopped'}
  if (!isOurs(record.pid, serviceName, record.command)) return {state: 'crashed', record}
  return {state: kernelState(record.pid) === 'T' ? 'frozen' : 'running', record}
}

/** Sends a signal; false when the process is already gone. */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw error
  }
}

type Exit = {code: number | null; signal: NodeJS.Signals | null}

/** How the processes this one started end, by pid: a service that dies without a word in its log still leaves its exit code or signal. */
const exits = new Map<number, Promise<Exit>>()

/**
 * Why a started service is not running, for an error message: how it exited
 * (when this process started it; a zombie is given a second to be reaped),
 * or which other program now holds its pid.
 */
export async function deathCause(record: ProcessRecord): Promise<string> {
  const exited = exits.get(record.pid)
  const exit = exited && (await Promise.race([exited, sleep(1000).then(() => undefined)]))
  if (exit) return exit.signal ? `it was killed by ${exit.signal}` : `it exited with code ${exit.code}`
  try {
    const cmdline = fs.readFileSync(`/proc/${record.pid}/cmdline`, 'utf8')
    if (cmdline === '') return `pid ${record.pid} is exiting or a zombie`
    return `pid ${record.pid} now runs ${cmdline.split('\0').join(' ').trim().slice(0, 200)}`
  } catch {
    return `pid ${record.pid} is gone`
  }
}

/** Starts a detached background process whose output goes to its log file. */
export function startProcess(dataDir: string, launch: LaunchSpec): ProcessRecord {
  fs.mkdirSync(dataDir, {recursive: true})
  const log = logFile(dataDir)
  const fd = fs.openSync(log, 'a')
  fs.writeSync(fd, `\n===== mkt: starting at ${new Date().toISOString()}: ${launch.command} ${launch.args.join(' ')}\n`)
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    env: {...process.env, ...launch.env},
    detached: true,
    stdio: ['ignore', fd, fd],
  })
  fs.closeSync(fd)
  if (child.pid === undefined) throw new Error(`could not start ${launch.command}`)
  const pid = child.pid
  exits.set(pid, new Promise((resolve) => child.once('exit', (code, signal) => resolve({code, signal}))))
  child.unref()
  const record: ProcessRecord = {pid: child.pid, startedAt: new Date().toISOString(), command: [launch.command, ...launch.args], logFile: log}
  fs.writeFileSync(pidFile(dataDir), JSON.stringify(record, null, 2))
  return record
}

/** SIGTERM, wait up to timeoutMs for a graceful exit, then SIGKILL. A frozen process is thawed first so that it can exit. */
export async function stopProcess(dataDir: string, serviceName: string, timeoutMs: number): Promise<'stopped' | 'killed' | 'not-running'> {
  const record = readRecord(dataDir)
  if (!record || !isOurs(record.pid, serviceName, record.command)) {
    fs.rmSync(pidFile(dataDir), {force: true})
    return 'not-running'
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(record.pid, sig)
    } catch {}
  }
  if (kernelState(record.pid) === 'T') signal('SIGCONT')
  signal('SIGTERM')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isOurs(record.pid, serviceName, record.command)) {
      fs.rmSync(pidFile(dataDir), {force: true})
      return 'stopped'
    }
    await sleep(200)
  }
  signal('SIGKILL')
  while (isOurs(record.pid, serviceName, record.command)) await sleep(100)
  fs.rmSync(pidFile(dataDir), {force: true})
  return 'killed'
}

export function tailFile(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8')
    return text.trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}
