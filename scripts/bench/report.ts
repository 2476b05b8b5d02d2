/**
 * npm run bench: every benchmark in one run, one after another, and one
 * markdown report (bench-report.md, or BENCH_REPORT): the machine it ran on,
 * each benchmark's tables as it printed them (every figure beside its
 * reference, with the ratio), and the target lines gathered at the top.
 * BENCH_ONLY=ingest,filter runs a subset.
 */
import {execFileSync, spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {stripVTControlCharacters} from 'node:util'

import {packageRoot} from '../../src/package-root.js'

const BENCHES = ['ingest', 'filter', 'failover', 'search', 'recommend', 'gateway', 'soak'] as const

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
      .split('\n')[0]!
      .trim()
  } catch (error) {
    const stderr = String((error as {stderr?: string}).stderr ?? '')
    return stderr.split('\n')[0]?.trim() || 'not found'
  }
}

function machine(): string[] {
  const cpus = os.cpus()
  const commit = version('git', ['-C', packageRoot(), 'rev-parse', '--short', 'HEAD'])
  return [
    `- date: ${new Date().toISOString()}, commit ${commit}`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} core(s); memory ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ${version('java', ['-version'])}; ${version('python3', ['--version'])}`,
  ]
}

/** Runs one benchmark, its output shown as it comes and kept for the report. */
function run(name: string): Promise<{code: number; output: string; seconds: number}> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot(), 'scripts', 'bench', `${name}.ts`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      output += chunk.toString()
    })
    child.on('close', (code) => resolve({code: code ?? 1, output, seconds: Math.round((Date.now() - started) / 1000)}))
  })
}

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
const chosen = BENCHES.filter((b) => !only || only.includes(b))
const file = process.env.BENCH_REPORT ?? path.join(packageRoot(), 'bench-report.md')
const sections: string[] = []
const targets: string[] = []
let failed = 0
for (const name of chosen) {
  process.stderr.write(`\n=== bench:${name}\n`)
  const {code, output, seconds} = await run(name)
  if (code !== 0) failed++
  const clean = stripVTControlCharacters(output).trim()
  for (const line of clean.split('\n'))
    if (/^\s*Targets?:/.test(line) || / → (met|NOT met)/.test(line)) targets.push(`- ${name}: ${line.replace(/^\s*Targets?:\s*/, '').trim()}`)
  sections.push(`## bench:${name} (${seconds} s${code === 0 ? '' : `, failed with exit ${code}`})\n\n\`\`\`\n${clean || '(no output)'}\n\`\`\``)
}
const report = [
  '# mkt benchmarks',
  '',
  'Each benchmark runs against a real runtime it starts itself, on the data it names, beside its reference in the same run.',
  '',
  '## Machine',
  '',
  ...machine(),
  '',
  '## Targets',
  '',
  ...(targets.length > 0 ? targets : ['- (none printed)']),
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n')
fs.writeFileSync(file, report)
process.stderr.write(`\nbench: report written to ${file}${failed > 0 ? ` (${failed} benchmark(s) failed)` : ''}\n`)
process.exitCode = failed > 0 ? 1 : 0
