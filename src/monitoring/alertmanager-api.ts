import {MktError} from '../errors.js'
import {getApi} from './http.js'

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
  const {response, text} = await getApi(
    'Alertmanager',
    baseUrl,
    `/api/v2/alerts?active=true&unprocessed=true&silenced=${all}&inhibited=${all}`,
    ALERTMANAGER_HINT,
    options.timeoutMs,
  )
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
