import {execFile, spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {saveProfiles} from '../../config/file.js'
import type {StoredProfile} from '../../config/schema.js'
import {writePrivateFile} from '../../config/private-file.js'
import {MktError} from '../../errors.js'
import {composePath} from '../../package-root.js'
import type {ProgressListener} from '../../progress.js'
import {certPaths} from '../../security/certs.js'
import {SCRAM_USERS} from '../../security/principals.js'
import {passwordFile} from '../../security/secrets.js'
import {storedProfilesForLayout} from '../secure-runtime.js'
import {CONTAINER_STATE, publishedConnection, type ComposeStack} from './network.js'

const exec = promisify(execFile)

/** The compose project every `mkt infra … --runtime docker` drives (its containers are mkt-<service>-1). */
export const COMPOSE_PROJECT = 'mkt'

/** <state dir>/docker.json: that this state dir belongs to a compose deployment, and which stack. */
export interface DockerRuntimeState {
  runtime: 'docker'
  stack: ComposeStack
  project: string
  composeFile: string
  advertisedHost: string
  createdAt: string
}

export function dockerStateFile(stateDir: string): string {
  return path.join(stateDir, 'docker.json')
}

export function readDockerState(stateDir: string): DockerRuntimeState | undefined {
  try {
    return JSON.parse(fs.readFileSync(dockerStateFile(stateDir), 'utf8')) as DockerRuntimeState
  } catch {
    return undefined
  }
}

/** The environment `docker compose` runs with: the stack as COMPOSE_PROFILES (which mkt-init also reads), the advertised host. */
export function composeEnv(state: Pick<DockerRuntimeState, 'stack' | 'advertisedHost'>, env = process.env): NodeJS.ProcessEnv {
  return {...env, COMPOSE_PROFILES: state.stack === 'full' ? 'full' : '', MKT_ADVERTISED_HOST: state.advertisedHost}
}

/** The argument list of one `docker compose` call on the deployment's file and project. */
export function composeArgs(state: Pick<DockerRuntimeState, 'composeFile' | 'project'>, args: string[]): string[] {
  return ['compose', '-f', state.composeFile, '-p', state.project, ...args]
}

/** True when a Docker engine (not just the client) answers. */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    await exec('docker', ['info', '--format', '{{.ServerVersion}}'], {timeout: 10_000})
    return true
  } catch {
    return false
  }
}

/** The engine and the compose plugin, or a clear error saying which is missing. */
async function requireDocker(): Promise<void> {
  if (!(await dockerEngineAnswers()))
    throw new MktError(
      'The docker runtime needs a Docker engine, and `docker info` gets no answer from one.',
      'Start Docker (or use --runtime local, which runs the same services as local processes).',
      'prerequisite',
    )
  try {
    await exec('docker', ['compose', 'version'], {timeout: 10_000})
  } catch {
    throw new MktError(
      'The docker runtime needs Docker Compose v2 (`docker compose`), and it is not installed.',
      'Install the compose plugin (Debian/Ubuntu: `sudo apt-get install -y docker-compose-plugin`).',
      'prerequisite',
    )
  }
}

/** Runs one compose call, its output streamed to the progress listener line by line; rejects with its last lines. */
function compose(state: DockerRuntimeState, args: string[], onLine: (line: string) => void = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', composeArgs(state, args), {env: composeEnv(state), stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let tail: string[] = []
    const take = (chunk: Buffer) => {
      const text = chunk.toString()
      out += text
      for (const line of text.split('\n').filter((l) => l.trim())) {
        tail = [...tail.slice(-19), line]
        onLine(line)
      }
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(
            new MktError(
              `docker compose ${args[0]} failed (exit ${code}):\n${tail.join('\n')}`,
              `\`mkt infra logs SERVICE --runtime docker\` shows a service's log; \`docker compose -f ${state.composeFile} -p ${state.project} ps -a\` their states.`,
              'infra',
            ),
          ),
    )
  })
}

export interface DockerUpOptions {
  stateDir: string
  stack: ComposeStack
  profileName: string
  configFile?: string
  advertisedHost?: string
  onProgress?: ProgressListener
}

export interface DockerUpResult {
  runtime: 'docker'
  stack: ComposeStack
  profileName: string
  profiles: string[]
  stateDir: string
}

/**
 * `mkt infra up --runtime docker`: `docker compose up --wait` of the stack
 * (which builds the mkt image the first time), then the CA and the passwords
 * copied out of the state volume into the host's state dir (0600) and the
 * per-principal profiles written for the published ports.
 */
export async function dockerUp(options: DockerUpOptions): Promise<DockerUpResult> {
  const onProgress = options.onProgress ?? (() => {})
  const saved = readDockerState(options.stateDir)
  if (saved && saved.stack !== options.stack)
    throw new MktError(
      `The compose deployment of ${options.stateDir} runs the ${saved.stack} stack; it cannot become the ${options.stack} one.`,
      'Run `mkt infra down --runtime docker --purge` first to delete its volumes.',
      'usage',
    )
  await requireDocker()
  const state: DockerRuntimeState = saved ?? {
    runtime: 'docker',
    stack: options.stack,
    project: COMPOSE_PROJECT,
    composeFile: composePath('docker-compose.yml'),
    advertisedHost: options.advertisedHost ?? '127.0.0.1',
    createdAt: new Date().toISOString(),
  }
  fs.mkdirSync(options.stateDir, {recursive: true, mode: 0o700})
  fs.writeFileSync(dockerStateFile(options.stateDir), `${JSON.stringify(state, null, 2)}\n`)

  onProgress({type: 'start', id: 'compose-up', label: `docker compose up --wait (${state.stack} stack)`})
  const started = Date.now()
  await compose(state, ['up', '-d', '--wait', '--build'], (line) => onProgress({type: 'start', id: 'compose-up', label: `docker compose up: ${line.trim()}`}))
  onProgress({type: 'done', id: 'compose-up', detail: `${((Date.now() - started) / 1000).toFixed(1)}s`})

  // The secrets mkt-init generated, out of the volume (a stopped one-shot container can still be copied from).
  const certs = certPaths(options.stateDir)
  fs.mkdirSync(path.dirname(certs.ca), {recursive: true, mode: 0o700})
  const copyOut = async (from: string, to: string) => {
    fs.mkdirSync(path.dirname(to), {recursive: true, mode: 0o700})
    const tmp = `${to}.${process.pid}.tmp`
    await compose(state, ['cp', `mkt-init:${from}`, tmp])
    writePrivateFile(to, fs.readFileSync(tmp, 'utf8'))
    fs.rmSync(tmp, {force: true})
  }
  await copyOut(`${CONTAINER_STATE}/certs/ca.pem`, certs.ca)
  for (const user of SCRAM_USERS) await copyOut(`${CONTAINER_STATE}/secrets/${user}.password`, passwordFile(options.stateDir, user))

  const host = state.advertisedHost
  const base = (cluster: 'main' | 'analytics'): StoredProfile => ({
    ...publishedConnection(state.stack, host, cluster),
    stateDir: options.stateDir,
    runtime: 'docker',
    searchUrl: `http://${host}:9410`,
    ...(state.stack === 'full' ? {connectUrl: `http://${host}:8083`} : {}),
  })
  const layout = {security: 'sasl_ssl' as const, stateDir: options.stateDir}
  const stored = {
    ...storedProfilesForLayout(layout, options.profileName, base('main')),
    ...(state.stack === 'full' ? storedProfilesForLayout(layout, `${options.profileName}-analytics`, base('analytics')) : {}),
  }
  saveProfiles(stored, {current: options.profileName, ...(options.configFile ? {file: options.configFile} : {})})
  return {runtime: 'docker', stack: state.stack, profileName: options.profileName, profiles: Object.keys(stored), stateDir: options.stateDir}
}

/** `mkt infra down --runtime docker [--purge]`: the containers stop; the volumes stay unless purged (then the host's copies go too). */
export async function dockerDown(stateDir: string, options: {purge?: boolean; onProgress?: ProgressListener} = {}): Promise<{purged: boolean}> {
  const state = readDockerState(stateDir)
  if (!state) throw new MktError(`No compose deployment was started from ${stateDir}.`, 'Start one with `mkt infra up --runtime docker`.', 'notFound')
  await requireDocker()
  const onProgress = options.onProgress ?? (() => {})
  onProgress({type: 'start', id: 'compose-down', label: `docker compose down${options.purge ? ' --volumes' : ''}`})
  await compose({...state, stack: 'full'}, ['down', ...(options.purge ? ['--volumes'] : [])])
  onProgress({type: 'done', id: 'compose-down'})
  if (options.purge) fs.rmSync(stateDir, {recursive: true, force: true})
  return {purged: options.purge === true}
}

export interface DockerServiceStatus {
  name: string
  state: string
  health?: string
  ports: string[]
  exitCode?: number
}

/** One `docker compose ps --format json` line (compose v2 prints one JSON object per container). */
interface PsLine {
  Service: string
  State: string
  Health?: string
  ExitCode?: number
  Publishers?: Array<{URL?: string; PublishedPort?: number; TargetPort?: number}>
}

/** `docker compose ps -a --format json` as rows (v2.21+ prints JSON lines; earlier versions one JSON array). */
export function parsePs(out: string): DockerServiceStatus[] {
  const text = out.trim()
  if (!text) return []
  const lines: PsLine[] = text.startsWith('[') ? (JSON.parse(text) as PsLine[]) : text.split('\n').map((l) => JSON.parse(l) as PsLine)
  return lines
    .map((l) => ({
      name: l.Service,
      state: l.State,
      ...(l.Health ? {health: l.Health} : {}),
      ports: (l.Publishers ?? []).filter((p) => p.PublishedPort).map((p) => `${p.PublishedPort}->${p.TargetPort}`),
      ...(l.State === 'exited' && l.ExitCode !== undefined ? {exitCode: l.ExitCode} : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export async function dockerStatus(stateDir: string): Promise<{stack: ComposeStack; services: DockerServiceStatus[]}> {
  const state = readDockerState(stateDir)
  if (!state) throw new MktError(`No compose deployment was started from ${stateDir}.`, 'Start one with `mkt infra up --runtime docker`.', 'notFound')
  await requireDocker()
  return {stack: state.stack, services: parsePs(await compose(state, ['ps', '-a', '--format', 'json']))}
}

/** `mkt infra logs SERVICE --runtime docker [-f] [-n N]`: compose's own logs, streamed to stdout. */
export async function dockerLogs(stateDir: string, service: string, options: {follow?: boolean; lines?: number}): Promise<number> {
  const state = readDockerState(stateDir)
  if (!state) throw new MktError(`No compose deployment was started from ${stateDir}.`, 'Start one with `mkt infra up --runtime docker`.', 'notFound')
  await requireDocker()
  const args = composeArgs(state, ['logs', '--no-color', '--tail', String(options.lines ?? 100), ...(options.follow ? ['--follow'] : []), service])
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, {env: composeEnv(state), stdio: ['ignore', 'inherit', 'inherit']})
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
}
