import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {saveProfiles} from '../config/file.js'
import {MktError} from '../errors.js'
import {applyAcls, type AclDiff} from '../security/acl.js'
import {desiredAcls} from '../security/acl-spec.js'
import {applyTopicSpec, type ApplyResult} from '../topics/cluster.js'
import {storedProfilesForLayout} from './secure-runtime.js'
import {profileForLayout, startLocalRuntime, type LayoutOverrides, type ProgressListener, type StartResult} from './local-runtime.js'

const run = promisify(execFile)

export type RuntimeChoice = 'auto' | 'local' | 'docker'

/** True when a Docker engine (not just the client) answers. */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], {timeout: 5000})
    return true
  } catch {
    return false
  }
}

/** auto: docker when an engine answers and the docker runtime exists, else local. */
export async function chooseRuntime(choice: RuntimeChoice, onProgress: ProgressListener): Promise<'local'> {
  if (choice === 'docker') {
    throw new MktError(
      'The docker runtime (compose/docker-compose.yml) is not available in this version of mkt yet.',
      'Use --runtime local (the default where no Docker engine answers); it runs the same services as local processes.',
      'prerequisite',
    )
  }
  if (choice === 'auto' && (await dockerEngineAnswers())) {
    onProgress({type: 'note', message: 'A Docker engine answers, but the docker runtime is not built yet; using the local runtime.'})
  }
  return 'local'
}

export interface UpOptions {
  runtime?: RuntimeChoice
  stateDir: string
  overrides?: LayoutOverrides
  /** Profile written for this runtime; made current when none is. */
  profileName?: string
  configFile?: string
  timeoutMs?: number
  onProgress?: ProgressListener
}

export interface UpResult extends StartResult {
  runtime: 'local'
  profileName: string
  topics?: ApplyResult
  acls?: AclDiff
  /** Every profile written: NAME, and NAME:<principal> for each principal of a secure runtime. */
  profiles: string[]
}

/** `mkt infra up`: start the runtime, apply the topic spec, write the profile. */
export async function infraUp(options: UpOptions): Promise<UpResult> {
  const onProgress = options.onProgress ?? (() => {})
  const runtime = await chooseRuntime(options.runtime ?? 'auto', onProgress)
  const started = await startLocalRuntime({
    stateDir: options.stateDir,
    overrides: options.overrides ?? {},
    onProgress,
    ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
  })
  const profileName = options.profileName ?? 'local'
  const {layout} = started.state
  const profile = profileForLayout(layout, profileName)
  const stored = storedProfilesForLayout(layout, profileName, {
    brokers: profile.brokers,
    schemaRegistry: profile.schemaRegistry,
    stateDir: profile.stateDir,
    runtime: 'local',
  })
  saveProfiles(stored, {current: profileName, ...(options.configFile ? {file: options.configFile} : {})})
  const profiles = Object.keys(stored)
  if (started.alreadyRunning) return {...started, runtime, profileName, profiles}

  onProgress({type: 'start', id: 'topics', label: 'Applying the topic spec'})
  const topics = await applyTopicSpec(profile)
  onProgress({type: 'done', id: 'topics', detail: `${topics.applied.length} change(s), ${topics.plan.unchanged.length} unchanged`})
  if (layout.security !== 'sasl_ssl') return {...started, runtime, profileName, profiles, topics}

  onProgress({type: 'start', id: 'acls', label: 'Applying the ACLs (compose/acls.yaml)'})
  const acls = await applyAcls(profile, desiredAcls())
  onProgress({type: 'done', id: 'acls', detail: `${acls.add.length} added, ${acls.remove.length + acls.foreign.length} removed, ${acls.unchanged} unchanged`})
  return {...started, runtime, profileName, profiles, topics, acls}
}
