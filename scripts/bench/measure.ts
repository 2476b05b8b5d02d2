import {spawn} from 'node:child_process'
import fs from 'node:fs'

export interface Measured {
  code: number
  stdout: string
  stderr: string
  seconds: number
  /** Peak resident memory of the process, sampled every 50 ms from /proc. */
  peakRssBytes: number
}

export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** Runs a command to completion, timing it and tracking its peak RSS; `onStart` gets the child's pid. */
export function measure(command: string, args: string[], env: Record<string, string> = {}, onStart?: (pid: number) => void): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    if (child.pid !== undefined) onStart?.(child.pid)
    let stdout = ''
    let stderr = ''
    let peak = 0
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(child.pid!))), 50)
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(sampler)
      resolve({code: code ?? -1, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssBytes: peak})
    })
  })
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`
}

/** The p-th percentile (0-100) of ascending numbers; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

/** p50 and p99 per class, and over all of them ("all"), of times in ms. */
export function percentilesByClass(times: Map<string, number[]>): Record<string, {p50: number; p99: number}> {
  const result: Record<string, {p50: number; p99: number}> = {}
  const all: number[] = []
  for (const [name, values] of times) {
    const sorted = [...values].sort((a, b) => a - b)
    all.push(...sorted)
    result[name] = {p50: percentile(sorted, 50), p99: percentile(sorted, 99)}
  }
  all.sort((a, b) => a - b)
  result.all = {p50: percentile(all, 50), p99: percentile(all, 99)}
  return result
}
