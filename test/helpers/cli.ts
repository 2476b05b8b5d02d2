import {startCli, whyNotExited} from './spawn.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  json<T = Record<string, unknown>>(): T
}

/**
 * Runs the built CLI to completion as a user would (npm run build first; `npm test` does).
 * A run still going after timeoutMs is SIGKILLed (code -1); its stderr then ends with where it was held and what it last printed.
 */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<CliResult> {
  const running = startCli(args, env)
  let timedOut = ''
  const timer = setTimeout(() => {
    timedOut = `\n[runCli: mkt ${args.join(' ')} still running after ${timeoutMs} ms: ${whyNotExited(running.child)}; stdout ends: ${running.stdout().slice(-1000)}]`
    running.child.kill('SIGKILL')
  }, timeoutMs)
  const code = await running.exited
  clearTimeout(timer)
  const stdout = running.stdout()
  return {code, stdout, stderr: running.stderr() + timedOut, json: <T>() => JSON.parse(stdout) as T}
}
