import {MktError} from '../errors.js'

/** An alert as Alertmanager holds it (GET /api/v2/alerts, the "gettableAlert" of its OpenAPI spec). */
export interface AlertmanagerAlert {
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  endsAt: string
  updatedAt: string
  fingerprint: string
  generatorURL?: string
  receivers: Array<{name: string}>
  status: {state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[]}
}

export interface AlertmanagerOptions {
  /** Also the alerts a silence or an inhibition rule holds back (default: only the active ones). */
  includeSuppressed?: boolean
  /** Per request (default 5 s). */
  timeoutMs?: number
}

export const ALERTMANAGER_HINT =
  'Start the full stack with `mkt infra up --stack full`, or point --alertmanager-url (MKT_ALERTMANAGER_URL) at a running Alertmanager.'

/** The alerts Alertmanager holds: the firing ones that notify, and with includeSuppressed the silenced and inhibited ones too. */
export async function alertmanagerAlerts(baseUrl: string, options: AlertmanagerOptions = {}): Promise<AlertmanagerAlert[]> {
  const all = String(Boolean(options.includeSuppressed))
  const url = `${baseUrl.replace(/\/$/, '')}/api/v2/alerts?active=true&unprocessed=true&silenced=${all}&inhibited=${all}`
  let response: Response
  let text: string
  try {
    response = await fetch(url, {headers: {Accept: 'application/json'}, signal: AbortSignal.timeout(options.timeoutMs ?? 5000)})
    text = await response.text()
  } catch (error) {
    const e = error as Error & {cause?: unknown}
    const why = e.name === 'TimeoutError' ? 'no answer in time' : e.cause instanceof Error ? e.cause.message : e.message
    throw new MktError(`Alertmanager does not answer at ${baseUrl} (${why}).`, ALERTMANAGER_HINT, 'unreachable', {cause: error})
  }
  let alerts: unknown
  try {
    alerts = JSON.parse(text)
  } catch {
    alerts = undefined
  }
  if (!response.ok || !Array.isArray(alerts))
    throw new MktError(
      `${baseUrl} answered GET /api/v2/alerts with HTTP ${response.status} and no list of alerts: is it Alertmanager 0.20 or newer?`,
      ALERTMANAGER_HINT,
      'unreachable',
    )
  return alerts as AlertmanagerAlert[]
}
