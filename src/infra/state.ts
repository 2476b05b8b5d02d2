import fs from 'node:fs'
import path from 'node:path'

import {MktError} from '../errors.js'
import {DEFAULT_LAYOUT, type RuntimeLayout} from './graph.js'

/** runtime.json: what a state dir holds, so later commands need no flags. */
export interface RuntimeState {
  version: 1
  runtime: 'local'
  layout: RuntimeLayout
  clusterId: string
  /** The analytics cluster's own KRaft cluster id (full stack). */
  analyticsClusterId?: string
  createdAt: string
}

export function stateFile(stateDir: string): string {
  return path.join(stateDir, 'runtime.json')
}

export function readRuntimeState(stateDir: string): RuntimeState | undefined {
  let text: string
  try {
    text = fs.readFileSync(stateFile(stateDir), 'utf8')
  } catch {
    return undefined
  }
  try {
    const state = JSON.parse(text) as RuntimeState
    // Runtimes created before security existed were plaintext; before the full stack, core.
    return {...state, layout: {...DEFAULT_LAYOUT, ...state.layout, security: state.layout.security ?? 'plaintext', stateDir}}
  } catch {
    throw new MktError(`${stateFile(stateDir)} is not valid JSON.`, 'Run `mkt infra down --purge` to start afresh (this deletes the local data).', 'infra')
  }
}

export function writeRuntimeState(state: RuntimeState): void {
  fs.mkdirSync(state.layout.stateDir, {recursive: true})
  fs.writeFileSync(stateFile(state.layout.stateDir), JSON.stringify(state, null, 2))
}
