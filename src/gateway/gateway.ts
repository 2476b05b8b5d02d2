import type {Profile} from '../config/schema.js'
import type {Logger} from '../log-structured.js'
import {listenHost, reachableHost} from '../metrics/server.js'
import {registerWorkerTarget} from '../metrics/targets.js'
import {openBackends, type GatewayBackends, type GatewayTopics} from './backends.js'
import {KeyRing, type GatewayPrincipal} from './keys.js'
import {buildGateway} from './server.js'

export interface GatewayStartOptions {
  profiles: Record<GatewayPrincipal, Profile>
  keysFile: string
  port: number
  host?: string
  https?: {key: string; cert: string}
  rateLimit?: number
  maxBatch?: number
  snapshotFile?: string
  topics?: GatewayTopics
  logger: Logger
  signal?: AbortSignal
  version?: string
}

export interface GatewayWorker {
  url: string
  port: number
  keys: KeyRing
  backends: GatewayBackends
  health(): ReturnType<GatewayBackends['health']>
  stop(): Promise<void>
  done: Promise<void>
}

/**
 * `mkt gateway start`: its index of the catalogue, the APIs on --port, and
 * a stop that first stops taking requests and answers those in flight,
 * then closes the Kafka clients (the producers flush what was accepted).
 */
export async function startGateway(options: GatewayStartOptions): Promise<GatewayWorker> {
  const log = options.logger
  const keys = new KeyRing(options.keysFile)
  const backends = await openBackends({
    profiles: options.profiles,
    logger: log,
    ...(options.snapshotFile ? {snapshotFile: options.snapshotFile} : {}),
    ...(options.topics ? {topics: options.topics} : {}),
    ...(options.signal ? {signal: options.signal} : {}),
  })
  let stopping: Promise<void> | undefined
  let unregister = () => {}
  const {app} = await buildGateway({
    backends,
    keys,
    ...(options.rateLimit ? {rateLimit: options.rateLimit} : {}),
    ...(options.maxBatch ? {maxBatch: options.maxBatch} : {}),
    ...(options.https ? {https: options.https} : {}),
    ...(options.version ? {version: options.version} : {}),
  }).catch(async (error: unknown) => {
    await backends.close()
    throw error
  })
  const host = options.host ?? listenHost()
  try {
    await app.listen({port: options.port, host})
  } catch (error) {
    await Promise.allSettled([app.close(), backends.close()])
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  let stopped!: () => void
  const stoppedCleanly = new Promise<undefined>((resolve) => (stopped = () => resolve(undefined)))
  const stop = () =>
    (stopping ??= (async () => {
      unregister()
      await app.close() // stops listening, answers what is in flight
      await backends.close()
      log.info({}, 'gateway stopped')
      stopped()
    })())
  // The index failing (say, the catalogue topic deleted) stops the gateway: better down than answering from a stale index.
  const failed = backends.done.then(
    () => undefined,
    (error: unknown) => ({error}),
  )
  const done = (async () => {
    const failure = await Promise.race([failed, stoppedCleanly])
    if (failure) {
      log.error({err: (failure.error as Error).message}, 'reading the catalogue failed; stopping')
      await stop()
      throw failure.error
    }
    await stopping
  })()
  done.catch(() => {})
  unregister = registerWorkerTarget({stateDir: options.profiles.gateway.stateDir, service: 'mkt-gateway'}, reachableHost(host), port)
  const url = `${options.https ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  return {url, port, keys, backends, health: () => backends.health(), stop, done}
}
