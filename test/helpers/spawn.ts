import {spawn, type ChildProcess} from 'node:child_process'
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
