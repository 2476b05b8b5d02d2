import {Box, Text, type TextProps} from 'ink'
import {createElement as h, type ReactElement, type ReactNode} from 'react'

import type {FiringAlert} from '../../monitoring/alerts.js'
import type {BrokerSnapshot, PlatformSnapshot, TargetStatus} from '../../monitoring/snapshot.js'
import {formatClock, formatCount, formatCpu, formatLag, formatMemory, formatRate, formatSeconds, formatSince, MISSING, stageNote} from './format.js'
import {VIEWS, type ViewName} from './view-names.js'

const TITLES: Record<ViewName, string> = {overview: 'Overview', alerts: 'Alerts', brokers: 'Brokers'}

interface CellOptions extends TextProps {
  align?: 'left' | 'right'
}

/** A fixed-width cell of a row: truncated, never wrapped, so columns stay aligned. */
function cell(text: string, width: number, {align = 'left', ...props}: CellOptions = {}): ReactElement {
  return h(
    Box,
    {width, flexShrink: 0, justifyContent: align === 'right' ? 'flex-end' : 'flex-start', paddingRight: align === 'right' ? 1 : 0},
    h(Text, {wrap: 'truncate', ...props}, text),
  )
}

const row = (key: string | number, ...cells: ReactNode[]) => h(Box, {key}, ...cells)
const upDown = (up: boolean) => cell(up ? 'up' : 'down', 6, {color: up ? 'green' : 'red', bold: !up})
const severityColor = (severity: string | null) => (severity === 'critical' ? 'red' : severity === 'warning' ? 'yellow' : 'white')

export interface HeaderProps {
  view: ViewName
  url: string
  refreshedAt?: Date
  error?: {message: string; at: Date}
}

/** The view tabs, where the data comes from and when it was read; a red line while Prometheus does not answer. */
export function Header({view, url, refreshedAt, error}: HeaderProps): ReactElement {
  return h(
    Box,
    {flexDirection: 'column', marginBottom: 1},
    h(
      Box,
      null,
      h(Text, {bold: true}, 'mkt top  '),
      ...VIEWS.map((v) => h(Text, {key: v, inverse: v === view, bold: v === view}, ` ${TITLES[v]} `)),
      h(Text, {dimColor: true}, `  ${url}  refreshed ${refreshedAt ? formatClock(refreshedAt) : MISSING}`),
    ),
    error
      ? h(Text, {color: 'red'}, `${formatClock(error.at)} ${error.message}${refreshedAt ? ` Showing the data of ${formatClock(refreshedAt)}.` : ''}`)
      : null,
  )
}

export function Stages({stages}: Pick<PlatformSnapshot, 'stages'>): ReactElement {
  return h(
    Box,
    {flexDirection: 'column', marginBottom: 1},
    row(
      'h',
      cell('STAGE', 30, {bold: true, color: 'cyan'}),
      cell('in/s', 11, {bold: true, align: 'right'}),
      cell('out/s', 11, {bold: true, align: 'right'}),
      cell('lag', 13, {bold: true, align: 'right'}),
      cell('', 22),
    ),
    ...stages.map((s) =>
      row(
        s.id,
        cell(s.name, 30),
        cell(formatRate(s.inRate), 11, {align: 'right'}),
        cell(formatRate(s.outRate), 11, {align: 'right'}),
        cell(formatLag(s), 13, {align: 'right', color: s.lag ? 'yellow' : undefined}),
        cell(`  ${stageNote(s)}`, 24, {color: 'red'}),
      ),
    ),
  )
}

function controllerText(b: BrokerSnapshot): string {
  return b.activeController === null ? MISSING : b.activeController ? 'controller' : ''
}

export function Brokers({brokers, clusters}: Pick<PlatformSnapshot, 'brokers' | 'clusters'>): ReactElement {
  return h(
    Box,
    {flexDirection: 'column', marginBottom: 1},
    row(
      'h',
      cell('BROKER', 14, {bold: true, color: 'cyan'}),
      cell('cluster', 11, {bold: true}),
      cell('state', 6, {bold: true}),
      cell('role', 12, {bold: true}),
      cell('under-repl.', 12, {bold: true, align: 'right'}),
      cell('leaders', 9, {bold: true, align: 'right'}),
      cell('msg in/s', 10, {bold: true, align: 'right'}),
    ),
    ...(brokers.length === 0 ? [h(Text, {key: 'none', dimColor: true}, `${MISSING} no broker target in Prometheus`)] : []),
    ...brokers.map((b) =>
      row(
        b.instance,
        cell(b.service, 14),
        cell(b.cluster ?? MISSING, 11),
        upDown(b.up),
        cell(controllerText(b), 12),
        cell(formatCount(b.underReplicated), 12, {align: 'right', color: b.underReplicated ? 'yellow' : undefined}),
        cell(formatCount(b.leaders), 9, {align: 'right'}),
        cell(formatRate(b.messagesInRate), 10, {align: 'right'}),
      ),
    ),
    ...clusters.map((c) =>
      h(
        Text,
        {key: `c-${c.cluster}`, dimColor: c.brokersUp === c.brokers && c.activeControllers === 1 && !c.underReplicated && !c.offlinePartitions},
        `${c.cluster || MISSING}: ${c.brokersUp}/${c.brokers} up, ${formatCount(c.activeControllers)} active controller(s), ${formatCount(c.underReplicated)} under-replicated, ${formatCount(c.offlinePartitions)} offline`,
      ),
    ),
  )
}

export function Workers({workers, services}: Pick<PlatformSnapshot, 'workers' | 'services'>): ReactElement {
  const service = (t: TargetStatus) => h(Text, {key: t.instance + t.job, color: t.up ? 'green' : 'red'}, `${t.service} ${t.up ? 'up' : 'down'}  `)
  return h(
    Box,
    {flexDirection: 'column', marginBottom: 1},
    row(
      'h',
      cell('WORKER', 18, {bold: true, color: 'cyan'}),
      cell('instance', 24, {bold: true}),
      cell('state', 6, {bold: true}),
      cell('cpu', 7, {bold: true, align: 'right'}),
      cell('memory', 11, {bold: true, align: 'right'}),
    ),
    ...(workers.length === 0
      ? [h(Text, {key: 'none', dimColor: true}, `${MISSING} no worker registered (mkt filter start, index start, recommend serve)`)]
      : []),
    ...workers.map((w) =>
      row(
        w.instance,
        cell(w.service, 18),
        cell(w.instance, 24),
        upDown(w.up),
        cell(formatCpu(w.cpu), 7, {align: 'right'}),
        cell(formatMemory(w.memoryBytes), 11, {align: 'right'}),
      ),
    ),
    services.length > 0 ? h(Box, null, h(Text, {bold: true}, 'services  '), ...services.map(service)) : null,
  )
}

export function Latency({search, recommend}: Pick<PlatformSnapshot, 'search' | 'recommend'>): ReactElement {
  return h(
    Box,
    {flexDirection: 'column', marginBottom: 1},
    h(
      Box,
      null,
      cell('SEARCH', 12, {bold: true, color: 'cyan'}),
      h(
        Text,
        null,
        `${formatRate(search.qps)} q/s   p99 ${formatSeconds(search.p99Seconds)}   freshness p99 ${formatSeconds(search.freshnessP99Seconds)}   ${formatCount(search.documents)} products`,
      ),
    ),
    h(
      Box,
      null,
      cell('RECOMMEND', 12, {bold: true, color: 'cyan'}),
      h(Text, null, `${formatRate(recommend.rate)} req/s   p99 ${formatSeconds(recommend.p99Seconds)}   `),
      h(Text, {color: recommend.timeouts5m ? 'red' : undefined}, `${formatCount(recommend.timeouts5m)} timed out (5m)`),
    ),
  )
}

function AlertsSummary({alerts}: {alerts: FiringAlert[]}): ReactElement {
  const critical = alerts.filter((a) => a.severity === 'critical').length
  if (alerts.length === 0) return h(Box, null, cell('ALERTS', 12, {bold: true, color: 'cyan'}), h(Text, {color: 'green'}, 'none firing'))
  return h(
    Box,
    null,
    cell('ALERTS', 12, {bold: true, color: 'cyan'}),
    h(Text, {color: critical > 0 ? 'red' : 'yellow', bold: true}, `${alerts.length} firing${critical > 0 ? ` (${critical} critical)` : ''}`),
    h(Text, {dimColor: true}, `: ${[...new Set(alerts.map((a) => a.name))].join(', ')}  (tab: the list)`),
  )
}

export function Overview({snapshot}: {snapshot: PlatformSnapshot}): ReactElement {
  return h(
    Box,
    {flexDirection: 'column'},
    h(Stages, {stages: snapshot.stages}),
    h(Brokers, {brokers: snapshot.brokers, clusters: snapshot.clusters}),
    h(Workers, {workers: snapshot.workers, services: snapshot.services}),
    h(Latency, {search: snapshot.search, recommend: snapshot.recommend}),
    h(AlertsSummary, {alerts: snapshot.alerts.alerts}),
  )
}

export function AlertsView({alerts, source, now = Date.now()}: {alerts: FiringAlert[]; source: string; now?: number}): ReactElement {
  return h(
    Box,
    {flexDirection: 'column'},
    h(Text, {bold: true, color: 'cyan'}, `FIRING ALERTS (${alerts.length}, from ${source})`),
    alerts.length === 0 ? h(Text, {color: 'green'}, 'Nothing is firing.') : null,
    ...alerts.map((a, i) =>
      h(
        Box,
        {key: i, flexDirection: 'column'},
        h(
          Box,
          null,
          cell(a.name, 30, {bold: true, color: severityColor(a.severity)}),
          cell(a.severity ?? MISSING, 10, {color: severityColor(a.severity)}),
          cell([a.service, a.cluster].filter(Boolean).join(' / ') || MISSING, 22),
          cell(`for ${formatSince(a.since, now)}`, 14),
          a.state === 'suppressed' ? h(Text, {dimColor: true}, 'silenced/inhibited') : null,
        ),
        h(Box, {paddingLeft: 2}, h(Text, {wrap: 'truncate-end'}, a.summary ?? MISSING)),
      ),
    ),
  )
}

export function BrokersView({snapshot}: {snapshot: PlatformSnapshot}): ReactElement {
  return h(
    Box,
    {flexDirection: 'column'},
    h(Brokers, {brokers: snapshot.brokers, clusters: snapshot.clusters}),
    h(Workers, {workers: snapshot.workers, services: snapshot.services}),
  )
}

export function Footer(): ReactElement {
  return h(Box, {marginTop: 1}, h(Text, {dimColor: true}, 'tab: next view   shift+tab: previous   q: quit'))
}
