import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/run.js')

export interface Running {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves when stdout (or stderr) matches. */
  waitFor: (pattern: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr') => Promise<void>
  exited: Promise<number>
}

/** Starts the built CLI in the background, for commands that run until a signal (--follow, --continuous). */
export function startCli(args: string[], env: Record<string, string | undefined>, bin = BIN): Running {
  const child = spawn(process.execPath, [bin, ...args], {env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: async (pattern, timeoutMs = 30_000, stream = 'stdout') => {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(stream === 'stdout' ? out : err)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stdout: ${out.slice(-500)} stderr: ${err.slice(-500)}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
  }
}

/**
 * For a failure message, what keeps a child from being done: it exited but
 * something still holds its output pipes, or it lives on, then with every
 * thread's native stack (gdb, when installed) to show where it is held.
 */
export function whyNotExited(child: ChildProcess): string {
  if (child.exitCode !== null || child.signalCode !== null) return `it exited (${child.exitCode ?? child.signalCode}) but its stdout/stderr are still open`
  const pid = child.pid!
  try {
    const stacks = execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt 25'], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return `pid ${pid} is alive; its threads:\n${stacks
      .split('\n')
      .filter((line) => /^Thread |^#/.test(line))
      .join('\n')}`
  } catch (error) {
    return `pid ${pid} is alive (no native stacks: ${(error as Error).message.split('\n')[0]})`
  }
}
