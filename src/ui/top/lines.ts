import type {FiringAlert} from '../../monitoring/alerts.js'
import type {PlatformSnapshot} from '../../monitoring/snapshot.js'
import {renderTable} from '../table.js'
import {formatCount, formatCpu, formatLag, formatMemory, formatRate, formatSeconds, formatSince, MISSING, stageNote} from './format.js'

/** The firing alerts as `mkt alerts` prints them. */
export function alertsTable(alerts: FiringAlert[], now = Date.now()): string {
  return renderTable(
    ['alert', 'severity', 'service / cluster', 'since', 'summary'],
    alerts.map((a) => [
      a.state === 'suppressed' ? `${a.name} (silenced/inhibited)` : a.name,
      a.severity ?? MISSING,
      [a.service, a.cluster].filter(Boolean).join(' / ') || MISSING,
      `${formatSince(a.since, now)} ago`,
      a.summary ?? MISSING,
    ]),
  )
}

/** One snapshot as plain lines: what `mkt top` prints when it is not on a terminal. */
export function snapshotLines(s: PlatformSnapshot): string {
  const parts = [
    `Platform at ${s.at} from ${s.prometheusUrl}`,
    '',
    renderTable(
      ['stage', 'in/s', 'out/s', 'lag', 'note'],
      s.stages.map((st) => [st.name, formatRate(st.inRate), formatRate(st.outRate), formatLag(st), stageNote(st)]),
    ),
    '',
    s.brokers.length === 0
      ? 'No broker target in Prometheus.'
      : renderTable(
          ['broker', 'cluster', 'state', 'controller', 'under-replicated', 'leaders', 'msg in/s'],
          s.brokers.map((b) => [
            b.service,
            b.cluster ?? MISSING,
            b.up ? 'up' : 'down',
            b.activeController === null ? MISSING : b.activeController ? 'yes' : 'no',
            formatCount(b.underReplicated),
            formatCount(b.leaders),
            formatRate(b.messagesInRate),
          ]),
        ),
    ...s.clusters.map(
      (c) =>
        `${c.cluster || MISSING} cluster: ${c.brokersUp}/${c.brokers} up, ${formatCount(c.activeControllers)} active controller(s), ${formatCount(c.underReplicated)} under-replicated, ${formatCount(c.offlinePartitions)} offline`,
    ),
    '',
    s.workers.length === 0
      ? 'No worker registered.'
      : renderTable(
          ['worker', 'instance', 'state', 'cpu', 'memory'],
          s.workers.map((w) => [w.service, w.instance, w.up ? 'up' : 'down', formatCpu(w.cpu), formatMemory(w.memoryBytes)]),
        ),
    ...(s.services.length > 0 ? [`Services: ${s.services.map((t) => `${t.service} ${t.up ? 'up' : 'down'}`).join(', ')}`] : []),
    '',
    `Search: ${formatRate(s.search.qps)} q/s, p99 ${formatSeconds(s.search.p99Seconds)}, freshness p99 ${formatSeconds(s.search.freshnessP99Seconds)}, ${formatCount(s.search.documents)} products`,
    `Recommend: ${formatRate(s.recommend.rate)} req/s, p99 ${formatSeconds(s.recommend.p99Seconds)}, ${formatCount(s.recommend.timeouts5m)} timed out (5m)`,
    '',
    s.alerts.alerts.length === 0
      ? `Alerts: none firing (${s.alerts.source} ${s.alerts.url}).`
      : `Alerts: ${s.alerts.alerts.length} firing (${s.alerts.source} ${s.alerts.url})\n${alertsTable(s.alerts.alerts)}`,
  ]
  return parts.join('\n')
}
