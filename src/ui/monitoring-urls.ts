import {Flags} from '@oclif/core'

import {alertmanagerUrl, prometheusUrl, DEFAULT_LAYOUT} from '../infra/graph.js'
import {readRuntimeState} from '../infra/state.js'

/** Where the commands look for Prometheus and Alertmanager, for --help. */
export const MONITORING_URLS_HELP = `URLs: --prometheus-url / --alertmanager-url, else MKT_PROMETHEUS_URL / MKT_ALERTMANAGER_URL, else the local runtime's (\`mkt infra up --stack full\`), else http://${DEFAULT_LAYOUT.host}:${DEFAULT_LAYOUT.prometheusPort} and :${DEFAULT_LAYOUT.alertmanagerPort}.`

export type UrlSource = 'flag' | 'env' | 'runtime' | 'default'

export interface MonitoringUrls {
  prometheus: {url: string; source: UrlSource}
  alertmanager: {url: string; source: UrlSource}
}

/** The flags of the commands that read Prometheus and Alertmanager. */
export const monitoringFlags = {
  'prometheus-url': Flags.string({
    description: `Prometheus's HTTP API (default: MKT_PROMETHEUS_URL, the local runtime's Prometheus, http://127.0.0.1:${DEFAULT_LAYOUT.prometheusPort}).`,
    helpGroup: 'MONITORING',
  }),
  'alertmanager-url': Flags.string({
    description: `Alertmanager's HTTP API (default: MKT_ALERTMANAGER_URL, the local runtime's Alertmanager, http://127.0.0.1:${DEFAULT_LAYOUT.alertmanagerPort}).`,
    helpGroup: 'MONITORING',
  }),
}

/** Each URL: its flag > MKT_PROMETHEUS_URL / MKT_ALERTMANAGER_URL > the local runtime in stateDir > the default port on loopback. */
export function monitoringUrls(
  flags: {'prometheus-url'?: string; 'alertmanager-url'?: string},
  stateDir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MonitoringUrls {
  let layout: Parameters<typeof prometheusUrl>[0] | undefined
  try {
    layout = stateDir ? readRuntimeState(stateDir)?.layout : undefined
  } catch {
    layout = undefined // a broken runtime.json is `mkt infra status`'s to report; here the defaults do
  }
  const fallback = {...DEFAULT_LAYOUT, stateDir: stateDir ?? ''}
  const pick = (flag: string | undefined, envValue: string | undefined, fromLayout: typeof prometheusUrl) =>
    flag
      ? {url: flag, source: 'flag' as const}
      : envValue
        ? {url: envValue, source: 'env' as const}
        : layout
          ? {url: fromLayout(layout), source: 'runtime' as const}
          : {url: fromLayout(fallback), source: 'default' as const}
  return {
    prometheus: pick(flags['prometheus-url'], env.MKT_PROMETHEUS_URL, prometheusUrl),
    alertmanager: pick(flags['alertmanager-url'], env.MKT_ALERTMANAGER_URL, alertmanagerUrl),
  }
}
