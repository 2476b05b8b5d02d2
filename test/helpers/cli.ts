import {startCli} from './spawn.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  json<T = Record<string, unknown>>(): T
}

/** Runs the built CLI to completion as a user would (npm run build first; `npm test` does). */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<CliResult> {
  const running = startCli(args, env)
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs)
  const code = await running.exited
  clearTimeout(timer)
  const stdout = running.stdout()
  return {code, stdout, stderr: running.stderr(), json: <T>() => JSON.parse(stdout) as T}
}
