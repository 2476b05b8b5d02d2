import {MktError} from '../errors.js'

/** A call to Kafka Connect's REST API; unreachable workers and refusals become one clear error each. */
export async function connectRequest<T>(baseUrl: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const url = `${baseUrl.replace(/\/$/, '')}${path}`
  let response: Response
  try {
    response = await fetch(url, {
      method,
      headers: {Accept: 'application/json', ...(body === undefined ? {} : {'Content-Type': 'application/json'})},
      ...(body === undefined ? {} : {body: JSON.stringify(body)}),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (error) {
    throw new MktError(
      `Kafka Connect does not answer at ${baseUrl} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}).`,
      'Start the full stack with `mkt infra up --stack full` (`mkt infra status` shows the connect service), or point MKT_CONNECT_URL / the profile key connectUrl at a worker.',
      'unreachable',
      {cause: error},
    )
  }
  const text = await response.text()
  if (!response.ok) {
    let message = text
    try {
      message = (JSON.parse(text) as {message?: string}).message ?? text
    } catch {
      // not JSON: keep the text
    }
    throw new ConnectHttpError(response.status, `Kafka Connect refused ${method} ${path} (HTTP ${response.status}): ${message}`)
  }
  return (text ? JSON.parse(text) : undefined) as T
}

export class ConnectHttpError extends MktError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(
      message,
      status === 404 ? 'List the connectors with `mkt connect status`.' : 'Check the connector config and `mkt infra logs connect`.',
      status === 404 ? 'notFound' : 'infra',
    )
  }
}
