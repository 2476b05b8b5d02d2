import {connectRequest, ConnectHttpError} from './rest.js'
import type {ConnectorSpec} from './spec.js'

export interface ConnectorChange {
  name: string
  change: 'created' | 'updated' | 'unchanged'
  /** The keys whose values differ from the running config (updated only). */
  keys?: string[]
}

/** The running config without what Connect adds itself (the name). */
function comparable(config: Record<string, string>): Record<string, string> {
  const {name: _name, ...rest} = config
  return rest
}

/**
 * Makes each connector run with its file's config: creates it, updates the
 * keys that differ (Connect restarts its tasks), or leaves it alone; a dry
 * run only reports. Connectors not in the files are not touched.
 */
export async function applyConnectors(url: string, specs: ConnectorSpec[], options: {dryRun?: boolean} = {}): Promise<ConnectorChange[]> {
  const changes: ConnectorChange[] = []
  for (const spec of specs) {
    let running: Record<string, string> | undefined
    try {
      running = comparable(await connectRequest<Record<string, string>>(url, 'GET', `/connectors/${encodeURIComponent(spec.name)}/config`))
    } catch (error) {
      if (!(error instanceof ConnectHttpError && error.status === 404)) throw error
    }
    const desired = comparable(spec.config)
    const keys = running ? [...new Set([...Object.keys(desired), ...Object.keys(running)])].filter((k) => desired[k] !== running![k]).sort() : []
    const change: ConnectorChange['change'] = !running ? 'created' : keys.length > 0 ? 'updated' : 'unchanged'
    if (change !== 'unchanged' && !options.dryRun) await connectRequest(url, 'PUT', `/connectors/${encodeURIComponent(spec.name)}/config`, desired)
    changes.push({name: spec.name, change, ...(change === 'updated' ? {keys} : {})})
  }
  return changes
}
