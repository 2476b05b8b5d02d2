import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {saveProfiles} from '../config/file.js'
import {MktError} from '../errors.js'
import {applyAcls, type AclDiff} from '../security/acl.js'
import {desiredAcls} from '../security/acl-spec.js'
import {applyTopicSpec, type ApplyResult} from '../topics/cluster.js'
import {storedProfilesForLayout} from './secure-runtime.js'
import {profileForLayout, progressStep, startLocalRuntime, type LayoutOverrides, type ProgressListener, type StartResult} from './local-runtime.js'
import {bootstrapServers, connectUrl} from './graph.js'
import {ADMIN_PRINCIPAL} from '../security/principals.js'
import {applyConnectors, loadConnectorSpecs, type ConnectorChange} from '../connect/index.js'

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
  /** Every profile written: NAME, and NAME:<principal> for each principal of a secure runtime (and NAME-analytics… for the full stack). */
  profiles: string[]
  /** The connectors of compose/connect as applied (full stack). */
  connectors?: ConnectorChange[]
}

/** `mkt infra up`: start the runtime, apply the topic spec and the ACLs (before the services that need them), write the profiles. */
export async function infraUp(options: UpOptions): Promise<UpResult> {
  const onProgress = options.onProgress ?? (() => {})
  const runtime = await chooseRuntime(options.runtime ?? 'auto', onProgress)
  let topics: ApplyResult | undefined
  let acls: AclDiff | undefined
  const started = await startLocalRuntime({
    stateDir: options.stateDir,
    overrides: options.overrides ?? {},
    onProgress,
    ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
    onBrokersUp: async (layout) => {
      topics ??= await progressStep(
        onProgress,
        'topics',
        'Applying the topic spec',
        () => applyTopicSpec(profileForLayout(layout)),
        (t) => `${t.applied.length} change(s), ${t.plan.unchanged.length} unchanged`,
      )
      if (layout.security !== 'sasl_ssl' || acls) return
      acls = await progressStep(
        onProgress,
        'acls',
        'Applying the ACLs (compose/acls.yaml)',
        async () => {
          const main = await applyAcls(profileForLayout(layout), desiredAcls())
          if (layout.stack !== 'full') return main
          const analytics = await applyAcls(profileForLayout(layout, 'local', ADMIN_PRINCIPAL, 'analytics'), desiredAcls({cluster: 'analytics'}))
          return {
            add: [...main.add, ...analytics.add],
            remove: [...main.remove, ...analytics.remove],
            foreign: [...main.foreign, ...analytics.foreign],
            unchanged: main.unchanged + analytics.unchanged,
          }
        },
        (a) => `${a.add.length} added, ${a.remove.length + a.foreign.length} removed, ${a.unchanged} unchanged`,
      )
    },
  })
  const profileName = options.profileName ?? 'local'
  const {layout} = started.state
  const profile = profileForLayout(layout, profileName)
  const base = {schemaRegistry: profile.schemaRegistry, stateDir: profile.stateDir, runtime: 'local' as const}
  const stored = {
    ...storedProfilesForLayout(layout, profileName, {
      ...base,
      brokers: profile.brokers,
      ...(layout.stack === 'full' ? {connectUrl: connectUrl(layout)} : {}),
    }),
    ...(layout.stack === 'full'
      ? storedProfilesForLayout(layout, analyticsProfileName(profileName), {...base, brokers: bootstrapServers(layout, 'analytics')})
      : {}),
  }
  saveProfiles(stored, {current: profileName, ...(options.configFile ? {file: options.configFile} : {})})
  const profiles = Object.keys(stored)
  if (started.alreadyRunning || layout.stack !== 'full')
    return {...started, runtime, profileName, profiles, ...(topics ? {topics} : {}), ...(acls ? {acls} : {})}

  const connectors = await progressStep(
    onProgress,
    'connectors',
    'Applying the connectors (compose/connect)',
    () => applyConnectors(connectUrl(layout), loadConnectorSpecs()),
    (c) => `${c.filter((x) => x.change !== 'unchanged').length} change(s), ${c.filter((x) => x.change === 'unchanged').length} unchanged`,
  )
  return {...started, runtime, profileName, profiles, ...(topics ? {topics} : {}), ...(acls ? {acls} : {}), connectors}
}

/** The profile of a full stack's analytics cluster, next to the main one's: NAME-analytics (and NAME-analytics:<principal>). */
export function analyticsProfileName(profileName: string): string {
  return `${profileName}-analytics`
}
