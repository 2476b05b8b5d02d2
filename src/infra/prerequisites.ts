import {execFile} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {MktError} from '../errors.js'

const run = promisify(execFile)

export interface JavaInfo {
  bin: string
  version: number
}

/** The java binary the runtime uses: $JAVA_HOME/bin/java, else java on PATH. */
export function javaBin(env = process.env): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java'
}

export async function checkJava(minimum = 17): Promise<JavaInfo> {
  const bin = javaBin()
  let output: string
  try {
    const {stderr, stdout} = await run(bin, ['-version'], {timeout: 15_000})
    output = `${stderr}${stdout}`
  } catch {
    throw new MktError(
      `Java ${minimum}+ is needed to run Kafka and the schema registry, but "${bin}" could not be run.`,
      'Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`) or set JAVA_HOME.',
      'prerequisite',
    )
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output)
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0
  if (major < minimum) {
    throw new MktError(
      `Java ${minimum}+ is needed, but "${bin}" is Java ${major || 'of unknown version'}.`,
      `Install Java ${minimum} or newer and point JAVA_HOME at it.`,
      'prerequisite',
    )
  }
  return {bin, version: major}
}

export async function checkMaven(): Promise<string> {
  try {
    const {stdout} = await run('mvn', ['-v', '-B'], {timeout: 30_000})
    return /Apache Maven (\S+)/.exec(stdout)?.[1] ?? 'unknown'
  } catch {
    throw new MktError(
      'Maven is needed once to download the Kafka and registry artifacts from Maven Central, but `mvn` could not be run.',
      'Install it (Debian/Ubuntu: `sudo apt-get install -y maven`) and run `mkt infra up` again.',
      'prerequisite',
    )
  }
}

/** Refuses to start on a nearly full disk rather than failing half-way. */
export function checkDiskSpace(dir: string, minimumBytes: number): void {
  let probe = dir
  while (!fs.existsSync(probe)) probe = path.dirname(probe)
  const stats = fs.statfsSync(probe)
  const free = stats.bavail * stats.bsize
  if (free < minimumBytes) {
    const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`
    throw new MktError(
      `Only ${mb(free)} is free under ${probe}; the local runtime needs at least ${mb(minimumBytes)}.`,
      'Free some space, or pass --state-dir (or MKT_STATE_DIR) on a larger disk.',
      'infra',
    )
  }
}
