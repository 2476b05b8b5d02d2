import {connectRequest} from './rest.js'

export interface TaskStatus {
  id: number
  state: string
  worker: string
  /** The first line of a failed task's trace: what went wrong. */
  error?: string
  trace?: string
}

export interface ConnectorStatus {
  name: string
  type: string
  state: string
  worker: string
  topics?: string
  tasks: TaskStatus[]
}

interface Expanded {
  status: {
    connector: {state: string; worker_id: string; trace?: string}
    tasks: Array<{id: number; state: string; worker_id: string; trace?: string}>
    type: string
  }
  info: {config: Record<string, string>}
}

/** Every connector with its state and its tasks' (a failed task with the error from its trace). */
export async function connectStatus(url: string): Promise<ConnectorStatus[]> {
  const all = await connectRequest<Record<string, Expanded>>(url, 'GET', '/connectors?expand=status&expand=info')
  return Object.entries(all)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, {status, info}]) => ({
      name,
      type: status.type,
      state: status.connector.state,
      worker: status.connector.worker_id,
      ...(info.config.topics ? {topics: info.config.topics} : {}),
      tasks: status.tasks
        .map((t) => ({
          id: t.id,
          state: t.state,
          worker: t.worker_id,
          ...(t.trace ? {error: t.trace.split('\n')[0]!, trace: t.trace} : {}),
        }))
        .sort((a, b) => a.id - b.id),
    }))
}

/** Restarts a connector and its tasks (only the failed ones with failedOnly); Connect answers with what it restarts. */
export async function restartConnector(url: string, name: string, options: {failedOnly?: boolean} = {}): Promise<ConnectorStatus | undefined> {
  await connectRequest(url, 'POST', `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=${options.failedOnly ? 'true' : 'false'}`)
  return (await connectStatus(url)).find((c) => c.name === name)
}
