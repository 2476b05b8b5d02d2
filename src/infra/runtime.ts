import {saveProfiles} from '../config/file.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import {applyAcls, type AclDiff} from '../security/acl.js'
import {desiredAcls} from '../security/acl-spec.js'
import {applyTopicSpec, type ApplyResult} from '../topics/cluster.js'
import {storedProfilesForLayout} from './secure-runtime.js'
import {profileForLayout, progressStep, startLocalRuntime, type LayoutOverrides, type ProgressListener, type StartResult} from './local-runtime.js'
import {bootstrapServers, connectUrl} from './graph.js'
import {ADMIN_PRINCIPAL} from '../security/principals.js'
import {applyConnectors, loadConnectorSpecs, type ConnectorChange} from '../connect/index.js'
import {dockerEngineAnswers, readDockerState} from './docker/compose.js'
import {readRuntimeState} from './state.js'

export type RuntimeChoice = 'auto' | 'local' | 'docker'

/**
 * Which runtime a command acts on. up: docker when asked, or for auto when a
 * Docker engine answers; the others: what the state dir holds (docker.json
 * for a compose deployment, runtime.json for the local one).
 */
export async function chooseRuntime(choice: RuntimeChoice, stateDir: string, forUp: boolean): Promise<'local' | 'docker'> {
  const docker = readDockerState(stateDir) !== undefined
  const local = readRuntimeState(stateDir) !== undefined
  if (choice === 'docker' && local)
    throw new MktError(
      `${stateDir} holds a local runtime; a compose deployment needs a state dir of its own.`,
      'Give it one: `mkt infra up --runtime docker --state-dir ~/.local/state/mkt-docker --profile docker`.',
      'usage',
    )
  if (choice === 'local' && docker && forUp)
    throw new MktError(
      `${stateDir} belongs to a compose deployment; the local runtime needs a state dir of its own.`,
      'Give it one with --state-dir (and --profile), or use --runtime docker.',
      'usage',
    )
  if (choice !== 'auto') return choice
  if (docker) return 'docker'
  if (local || !forUp) return 'local'
  return (await dockerEngineAnswers()) ? 'docker' : 'local'
}

export interface UpOptions {
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

/** `mkt infra up` of the local runtime: start it, apply the topic spec and the ACLs (before the services that need them), write the profiles. */
export async function infraUp(options: UpOptions): Promise<UpResult> {
  const onProgress = options.onProgress ?? (() => {})
  const runtime = 'local' as const
  let topics: ApplyResult | undefined
  let acls: AclDiff | undefined
  const started = await startLocalRuntime({
    stateDir: options.stateDir,
    overrides: options.overrides ?? {},
    onProgress,
    ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
    onBrokersUp: async (layout) => {
      if (topics) return
      const applied = await applyClusterSpec(
        profileForLayout(layout),
        layout.security === 'sasl_ssl',
        layout.stack === 'full' ? profileForLayout(layout, 'local', ADMIN_PRINCIPAL, 'analytics') : undefined,
        onProgress,
      )
      topics = applied.topics
      acls = applied.acls
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

/**
 * What a new cluster needs before the services that log in to it start: the
 * topic spec on the main cluster, and on a secure deployment the ACLs of
 * compose/acls.yaml on the main cluster and, when there is one, the
 * analytics cluster. Both runtimes apply it the same way (infra up; the
 * compose deployment's kafka-setup service).
 */
export async function applyClusterSpec(
  main: Profile,
  secure: boolean,
  analytics: Profile | undefined,
  onProgress: ProgressListener,
): Promise<{topics: ApplyResult; acls?: AclDiff}> {
  const topics = await progressStep(
    onProgress,
    'topics',
    'Applying the topic spec',
    () => applyTopicSpec(main),
    (t) => `${t.applied.length} change(s), ${t.plan.unchanged.length} unchanged`,
  )
  if (!secure) return {topics}
  const acls = await progressStep(
    onProgress,
    'acls',
    'Applying the ACLs (compose/acls.yaml)',
    async () => {
      const onMain = await applyAcls(main, desiredAcls())
      if (!analytics) return onMain
      const onAnalytics = await applyAcls(analytics, desiredAcls({cluster: 'analytics'}))
      return {
        add: [...onMain.add, ...onAnalytics.add],
        remove: [...onMain.remove, ...onAnalytics.remove],
        foreign: [...onMain.foreign, ...onAnalytics.foreign],
        unchanged: onMain.unchanged + onAnalytics.unchanged,
      }
    },
    (a) => `${a.add.length} added, ${a.remove.length + a.foreign.length} removed, ${a.unchanged} unchanged`,
  )
  return {topics, acls}
}

/** The profile of a full stack's analytics cluster, next to the main one's: NAME-analytics (and NAME-analytics:<principal>). */
export function analyticsProfileName(profileName: string): string {
  return `${profileName}-analytics`
}
