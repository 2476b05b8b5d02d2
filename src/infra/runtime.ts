import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {saveProfile} from '../config/file.js'
import {MktError} from '../errors.js'
import {applyTopicSpec, type ApplyResult} from '../topics/cluster.js'
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
  const profile = profileForLayout(started.state.layout, profileName)
  saveProfile(
    profileName,
    {brokers: profile.brokers, schemaRegistry: profile.schemaRegistry, stateDir: profile.stateDir, runtime: 'local'},
    options.configFile ? {file: options.configFile} : {},
  )
  if (started.alreadyRunning) return {...started, runtime, profileName}

  onProgress({type: 'start', id: 'topics', label: 'Applying the topic spec'})
  const topics = await applyTopicSpec(profile)
  onProgress({type: 'done', id: 'topics', detail: `${topics.applied.length} change(s), ${topics.plan.unchanged.length} unchanged`})
  return {...started, runtime, profileName, topics}
}
