import os from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

import {MktError} from '../errors.js'
import {resolveArtifact} from './artifacts.js'
import type {ServiceNode} from './graph.js'
import {findService, MIN_FREE_BYTES, nodeArtifacts, progressStep, sparkFor, startNode, type NodeContext, type ProgressListener} from './local-runtime.js'
import {assertPortsFree, waitForPortsFree} from './ports.js'
import {checkDiskSpace, checkJava} from './prerequisites.js'
import {isAlive, processState, sendSignal, stopProcess, type ProcessRecord, type ProcessState} from './process.js'
import {readRuntimeState} from './state.js'

/**
 * Failure drills on the local runtime: `mkt infra kill` signals one
 * supervised service process, `mkt infra restart` brings one back as
 * `infra up` would start it. Nothing else is touched.
 */

export const DRILL_SIGNALS = ['KILL', 'STOP', 'CONT', 'TERM'] as const
export type DrillSignal = (typeof DRILL_SIGNALS)[number]

/** KILL, kill, SIGKILL or the signal's number on this platform (9); anything but the four drill signals is refused. */
export function parseDrillSignal(input: string): DrillSignal {
  const text = input.trim().toUpperCase()
  const byNumber = /^\d+$/.test(text) ? Object.entries(os.constants.signals).find(([, n]) => n === Number(text))?.[0] : undefined
  const name = (byNumber ?? text).replace(/^SIG/, '')
  const signal = DRILL_SIGNALS.find((s) => s === name)
  if (!signal)
    throw new MktError(
      `"${input}" is not a signal mkt infra kill sends.`,
      `Use one of ${DRILL_SIGNALS.join(', ')} (also as SIGKILL or a number such as 9).`,
      'usage',
    )
  return signal
}

function notRunningError(node: ServiceNode, state: ProcessState, record: ProcessRecord | undefined): MktError {
  const why = state === 'crashed' && record ? `its process ${record.pid} is gone (crashed or killed)` : 'it is stopped'
  return new MktError(
    `${node.name} is not running: ${why}.`,
    `Start it again with \`mkt infra restart ${node.name}\`, or the whole runtime with \`mkt infra up\`.`,
    'notFound',
  )
}

export interface SignalResult {
  service: string
  pid: number
  signal: DrillSignal
  /** The state before the signal and once it took effect (TERM: when it was sent; the service shuts down on its own time). */
  before: ProcessState
  after: ProcessState
}

/** What the state becomes once the kernel has acted on the signal; undefined for TERM, whose shutdown takes the service's own time. */
function expectedState(signal: DrillSignal): ((state: ProcessState) => boolean) | undefined {
  if (signal === 'KILL') return (state) => !isAlive(state)
  if (signal === 'STOP') return (state) => state === 'frozen'
  if (signal === 'CONT') return (state) => state === 'running'
  return undefined
}

/**
 * `mkt infra kill`: sends one signal to one service process of the local
 * runtime and waits (up to a few seconds) until the kernel shows its effect,
 * so that `infra status` right after it reports the new state. KILL leaves
 * the pid file behind (status: crashed), STOP freezes the process (frozen),
 * CONT thaws it. TERM to a frozen process is followed by CONT so it can act on it.
 */
export async function signalService(stateDir: string, name: string, signal: DrillSignal = 'KILL'): Promise<SignalResult> {
  const node = findService(stateDir, name)
  const {state: before, record} = processState(node.dataDir, node.name)
  if (!isAlive(before) || !record) throw notRunningError(node, before, record)
  if (!sendSignal(record.pid, `SIG${signal}`)) throw notRunningError(node, 'crashed', record)
  if (signal === 'TERM' && before === 'frozen') sendSignal(record.pid, 'SIGCONT')
  const done = expectedState(signal)
  const deadline = Date.now() + 5000
  let after = processState(node.dataDir, node.name).state
  while (done && !done(after) && Date.now() < deadline) {
    await sleep(50)
    after = processState(node.dataDir, node.name).state
  }
  return {service: node.name, pid: record.pid, signal, before, after}
}

export interface RestartOptions {
  /** Graceful stop before SIGKILL, as `infra down --timeout`. */
  stopTimeoutMs?: number
  /** How long the restarted service has to answer, as `infra up --timeout`. */
  timeoutMs?: number
  onProgress?: ProgressListener
}

export interface RestartResult {
  service: string
  /** Its state before the restart: running, frozen, stopped or crashed. */
  previous: ProcessState
  previousPid?: number
  /** How the old process ended: gracefully, killed after the timeout, or it was not running. */
  stop: 'stopped' | 'killed' | 'not-running'
  pid: number
  startedAt: string
  ports: Record<string, number>
}

/**
 * `mkt infra restart`: stops one service if its process exists (a frozen
 * one is thawed first so that SIGTERM can end it; SIGKILL after the
 * timeout), then starts it exactly as `infra up` does, on the same config
 * and data, and waits until it answers. Works for a crashed or stopped
 * service as well; the other services are not touched.
 */
export async function restartService(stateDir: string, name: string, options: RestartOptions = {}): Promise<RestartResult> {
  const onProgress = options.onProgress ?? (() => {})
  const node = findService(stateDir, name)
  const state = readRuntimeState(stateDir)!
  const {layout} = state
  // Prerequisites before anything is stopped: a missing Java must not leave the service down.
  const java = await progressStep(
    onProgress,
    'java',
    'Checking Java',
    () => checkJava(17),
    (j) => `Java ${j.version}`,
  )
  checkDiskSpace(layout.stateDir, MIN_FREE_BYTES)
  const artifacts = await Promise.all(nodeArtifacts(node.kind).map((name) => resolveArtifact(name)))
  const spark = await sparkFor([node])
  const context: NodeContext = {state, java: java.bin, artifacts: Object.fromEntries(artifacts.map((a) => [a.name, a.dir])), ...(spark ? {spark} : {})}

  const {state: previous, record: old} = processState(node.dataDir, node.name)
  let stop: RestartResult['stop'] = 'not-running'
  if (isAlive(previous)) {
    stop = await progressStep(
      onProgress,
      `stop-${node.name}`,
      `Stopping ${node.name}${previous === 'frozen' ? ' (frozen: SIGCONT first)' : ''}`,
      () => stopProcess(node.dataDir, node.name, options.stopTimeoutMs ?? 30_000),
      (r) => (r === 'killed' ? 'killed after timeout' : 'graceful'),
    )
  } else {
    await stopProcess(node.dataDir, node.name, 0) // only clears a crashed process's stale pid file
  }
  // Its process may still be letting go of its ports (just stopped, or killed a moment ago).
  if (previous !== 'stopped') await waitForPortsFree(layout.host, [node], 15_000)
  await assertPortsFree(layout.host, [node])
  const record = await progressStep(
    onProgress,
    `start-${node.name}`,
    `Starting ${node.name}`,
    () => startNode(context, node, options.timeoutMs ?? 120_000),
    (r) => `pid ${r.pid}`,
  )
  return {service: node.name, previous, ...(old ? {previousPid: old.pid} : {}), stop, pid: record.pid, startedAt: record.startedAt, ports: node.ports}
}
