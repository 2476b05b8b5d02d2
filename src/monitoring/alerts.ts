import {isMktError, MktError} from '../errors.js'
import {alertmanagerAlerts, type AlertmanagerAlert} from './alertmanager-api.js'
import {prometheusAlerts, type PrometheusAlert} from './prometheus-api.js'

/** A firing alert as `mkt alerts` and `mkt top` show it, whichever of Alertmanager or Prometheus told. */
export interface FiringAlert {
  name: string
  severity: string | null
  service: string | null
  cluster: string | null
  /** ISO time it started firing (Alertmanager) or became active (Prometheus). */
  since: string
  summary: string | null
  description: string | null
  /** active: notifies; suppressed: a silence or an inhibition holds it back (only with includeSuppressed). */
  state: 'active' | 'suppressed' | 'firing'
  labels: Record<string, string>
}

export interface AlertList {
  /** Who answered: Alertmanager, or Prometheus's own rule state when Alertmanager did not. */
  source: 'alertmanager' | 'prometheus'
  url: string
  alerts: FiringAlert[]
  /** Why Alertmanager was not asked or did not answer, when the list comes from Prometheus. */
  alertmanagerError?: string
}

const severityRank = (s: string | null) => ({critical: 0, warning: 1, info: 2})[s ?? ''] ?? 3

function common(labels: Record<string, string>, annotations: Record<string, string>) {
  return {
    name: labels.alertname ?? '(unnamed)',
    severity: labels.severity ?? null,
    service: labels.service ?? null,
    cluster: labels.cluster ?? null,
    summary: annotations.summary ?? null,
    description: annotations.description ?? null,
    labels,
  }
}

export function fromAlertmanager(a: AlertmanagerAlert): FiringAlert {
  return {...common(a.labels, a.annotations ?? {}), since: a.startsAt, state: a.status.state === 'suppressed' ? 'suppressed' : 'active'}
}

export function fromPrometheus(a: PrometheusAlert): FiringAlert {
  return {...common(a.labels, a.annotations ?? {}), since: a.activeAt, state: 'firing'}
}

/** Most severe first, then the oldest. */
export function sortAlerts(alerts: FiringAlert[]): FiringAlert[] {
  return [...alerts].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.since.localeCompare(b.since) || a.name.localeCompare(b.name))
}

/**
 * The firing alerts: from Alertmanager (what notifies, after grouping,
 * silences and inhibitions), else from Prometheus's /api/v1/alerts (its
 * firing rules, without silences) when Alertmanager does not answer or no
 * URL is given. Neither answering is the error of the one asked last.
 */
export async function firingAlerts(options: {
  alertmanagerUrl?: string
  prometheusUrl?: string
  includeSuppressed?: boolean
  timeoutMs?: number
}): Promise<AlertList> {
  let alertmanagerError: string | undefined
  if (options.alertmanagerUrl) {
    try {
      const alerts = await alertmanagerAlerts(options.alertmanagerUrl, {includeSuppressed: options.includeSuppressed, timeoutMs: options.timeoutMs})
      return {source: 'alertmanager', url: options.alertmanagerUrl, alerts: sortAlerts(alerts.map(fromAlertmanager))}
    } catch (error) {
      if (!isMktError(error) || !options.prometheusUrl) throw error
      alertmanagerError = error.message
    }
  }
  if (!options.prometheusUrl)
    throw new MktError('Neither an Alertmanager nor a Prometheus URL is given.', 'Give --alertmanager-url or --prometheus-url.', 'usage')
  let held: PrometheusAlert[]
  try {
    held = await prometheusAlerts(options.prometheusUrl, {timeoutMs: options.timeoutMs})
  } catch (error) {
    if (!alertmanagerError || !isMktError(error) || error.code !== 'unreachable') throw error
    throw new MktError(
      `Neither Alertmanager at ${options.alertmanagerUrl} nor Prometheus at ${options.prometheusUrl} answers.`,
      'Start the full stack with `mkt infra up --stack full`, or point --alertmanager-url / --prometheus-url (MKT_ALERTMANAGER_URL, MKT_PROMETHEUS_URL) at running ones.',
      'unreachable',
      {cause: error},
    )
  }
  const alerts = held.filter((a) => a.state === 'firing')
  return {
    source: 'prometheus',
    url: options.prometheusUrl,
    alerts: sortAlerts(alerts.map(fromPrometheus)),
    ...(alertmanagerError ? {alertmanagerError} : {}),
  }
}
