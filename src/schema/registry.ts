import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'

function unreachable(profile: Profile, cause: unknown): MktError {
  return new MktError(
    `Cannot reach the schema registry at ${profile.schemaRegistry.url} (profile "${profile.name}").`,
    'Start the local runtime with `mkt infra up`, or point --registry-url / MKT_SCHEMA_REGISTRY_URL at a running registry.',
    'unreachable',
    {cause},
  )
}

/** A raw call to the Confluent-compatible REST API, with clear errors. */
export async function registryRequest<T>(profile: Profile, method: string, path: string, body?: unknown): Promise<T> {
  const {url, username, password} = profile.schemaRegistry
  const headers: Record<string, string> = {Accept: 'application/vnd.schemaregistry.v1+json, application/json'}
  if (body !== undefined) headers['Content-Type'] = 'application/vnd.schemaregistry.v1+json'
  if (username && password) headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  let response: Response
  try {
    response = await fetch(`${url.replace(/\/$/, '')}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : {body: JSON.stringify(body)}),
      signal: AbortSignal.timeout(5000),
    })
  } catch (error) {
    throw unreachable(profile, error)
  }
  const text = await response.text()
  if (!response.ok) {
    let detail = text
    try {
      detail = (JSON.parse(text) as {message?: string}).message ?? text
    } catch {}
    const code = response.status === 404 ? 'notFound' : response.status === 401 || response.status === 403 ? 'config' : 'unreachable'
    throw new MktError(
      `The schema registry answered ${method} ${path} with ${response.status}: ${detail}`,
      'Check the registry URL and credentials in the profile.',
      code,
    )
  }
  return (text ? JSON.parse(text) : undefined) as T
}

export interface RegistryHealth {
  url: string
  reachable: boolean
  compatibility?: string
  subjects?: number
  error?: string
}

export async function registryHealth(profile: Profile): Promise<RegistryHealth> {
  try {
    const config = await registryRequest<{compatibilityLevel?: string; compatibility?: string}>(profile, 'GET', '/config')
    const subjects = await registryRequest<string[]>(profile, 'GET', '/subjects')
    return {url: profile.schemaRegistry.url, reachable: true, compatibility: config.compatibilityLevel ?? config.compatibility, subjects: subjects.length}
  } catch (error) {
    return {url: profile.schemaRegistry.url, reachable: false, error: (error as Error).message}
  }
}
