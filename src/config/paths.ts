import os from 'node:os'
import path from 'node:path'

type Env = Record<string, string | undefined>

/** Where profiles live: MKT_CONFIG, else the XDG config dir. */
export function configFilePath(env: Env = process.env): string {
  if (env.MKT_CONFIG) return path.resolve(env.MKT_CONFIG)
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config')
  return path.join(base, 'mkt', 'config.yaml')
}

/** Default home of runtime state (data dirs, logs, pid files). */
export function defaultStateDir(env: Env = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state')
  return path.join(base, 'mkt')
}

/** Per-user cache of resolved artifacts (jars, registry build). */
export function cacheDir(env: Env = process.env): string {
  if (env.MKT_CACHE_DIR) return path.resolve(env.MKT_CACHE_DIR)
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache')
  return path.join(base, 'mkt')
}

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p
}
