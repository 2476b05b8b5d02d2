import {MktError} from '../errors.js'
import {getApi} from './http.js'

/** One series of an instant vector: its labels and its value (null for NaN and ±Inf, which JSON cannot carry). */
export interface Sample {
  labels: Record<string, string>
  value: number | null
}

/** An alert as Prometheus's rule evaluation sees it (GET /api/v1/alerts). */
export interface PrometheusAlert {
  labels: Record<string, string>
  annotations: Record<string, string>
  state: 'pending' | 'firing' | 'inactive'
  activeAt: string
  value: string
}

export interface PrometheusOptions {
  /** Per request; a Prometheus slower than this counts as not answering (default 5 s). */
  timeoutMs?: number
}

interface ApiEnvelope<T> {
  status: 'success' | 'error'
  data?: T
  errorType?: string
  error?: string
}

/** How to bring up a Prometheus, for every "does not answer" error. */
export const PROMETHEUS_HINT = 'Start the full stack with `mkt infra up --stack full`, or point --prometheus-url (MKT_PROMETHEUS_URL) at a running Prometheus.'

/** GET a Prometheus API path; a Prometheus that does not answer, or answers with an error, is one MktError naming the URL. */
async function get<T>(baseUrl: string, path: string, options: PrometheusOptions): Promise<T> {
  const {response, text} = await getApi('Prometheus', baseUrl, path, PROMETHEUS_HINT, options.timeoutMs)
  let body: ApiEnvelope<T>
  try {
    body = JSON.parse(text) as ApiEnvelope<T>
  } catch {
    throw new MktError(
      `${baseUrl} answered ${path.split('?')[0]} with HTTP ${response.status} and no Prometheus API response: is it Prometheus?`,
      PROMETHEUS_HINT,
      'unreachable',
    )
  }
  if (body.status !== 'success' || body.data === undefined)
    throw new MktError(
      `Prometheus at ${baseUrl} refused ${path.split('?')[0]} (HTTP ${response.status}, ${body.errorType ?? 'error'}): ${body.error ?? text}`,
      'This is a bug in the query mkt sent; run again with DEBUG=mkt* and report it.',
      'internal',
    )
  return body.data
}

export function sampleValue(text: string): number | null {
  const value = Number(text)
  return Number.isFinite(value) ? value : null
}

/** An instant query (GET /api/v1/query) whose result is a vector (or a scalar, as one series without labels). */
export async function instantQuery(baseUrl: string, query: string, options: PrometheusOptions = {}): Promise<Sample[]> {
  const data = await get<{resultType: string; result: unknown}>(baseUrl, `/api/v1/query?query=${encodeURIComponent(query)}`, options)
  if (data.resultType === 'vector')
    return (data.result as Array<{metric: Record<string, string>; value: [number, string]}>).map((s) => ({labels: s.metric, value: sampleValue(s.value[1])}))
  if (data.resultType === 'scalar') return [{labels: {}, value: sampleValue((data.result as [number, string])[1])}]
  throw new MktError(`Prometheus at ${baseUrl} answered "${query}" with a ${data.resultType}, not a vector.`, 'Give an instant vector query.', 'usage')
}

/** The one value of a query that aggregates to a single series; null when there is no such series (or it is NaN). */
export async function scalarQuery(baseUrl: string, query: string, options: PrometheusOptions = {}): Promise<number | null> {
  const [first] = await instantQuery(baseUrl, query, options)
  return first?.value ?? null
}

/** The alerts Prometheus's rules hold, pending and firing (GET /api/v1/alerts). */
export async function prometheusAlerts(baseUrl: string, options: PrometheusOptions = {}): Promise<PrometheusAlert[]> {
  return (await get<{alerts: PrometheusAlert[]}>(baseUrl, '/api/v1/alerts', options)).alerts
}
