import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {writePrivateFile} from '../config/private-file.js'

/** One argument in Java's argument-file syntax: quoted, with backslashes and quotes escaped. */
export function argFileLine(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

export interface JavaToolResult {
  stdout: string
  stderr: string
}

/**
 * Runs a Java main class whose arguments may hold secrets. The main class and
 * its arguments go into a 0600 argument file (`java @file`, expanded by the
 * launcher itself), so no password ever shows in /proc/<pid>/cmdline or ps;
 * the file is deleted as soon as the tool ends.
 */
export async function runJavaTool(
  java: string,
  jvmArgs: string[],
  tool: {main: string; args: string[]},
  options: {secretsDir: string; timeoutMs?: number; cwd?: string},
): Promise<JavaToolResult> {
  const argFile = path.join(options.secretsDir, `tool-${randomBytes(6).toString('hex')}.args`)
  writePrivateFile(argFile, [tool.main, ...tool.args].map(argFileLine).join('\n') + '\n')
  try {
    return await new Promise<JavaToolResult>((resolve, reject) => {
      execFile(
        java,
        [...jvmArgs, `@${argFile}`],
        {timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, ...(options.cwd ? {cwd: options.cwd} : {})},
        (error, stdout, stderr) => {
          if (error) reject(Object.assign(new Error(`${tool.main.split('.').pop()} failed: ${(stderr || stdout || error.message).trim()}`), {stdout, stderr}))
          else resolve({stdout, stderr})
        },
      )
    })
  } finally {
    fs.rmSync(argFile, {force: true})
  }
}
