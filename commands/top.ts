import {Flags} from '@oclif/core'

import {platformSnapshot, type PlatformSnapshot} from '../src/monitoring/snapshot.js'
import {BaseCommand} from '../src/ui/base-command.js'
import {MONITORING_URLS_HELP, monitoringFlags, monitoringUrls} from '../src/ui/monitoring-urls.js'
import {runTop, snapshotLines, VIEWS} from '../src/ui/top/index.js'

export default class Top extends BaseCommand<typeof Top> {
  static override summary = 'The whole platform live in the terminal, from Prometheus: stages, brokers, workers, latency, alerts.'
  static override description = `On a terminal: a dashboard refreshed every --interval seconds. Views: Overview (per stage records in/out per second and lag; brokers up/down with controller and under-replicated partitions; workers; search and recommendation p99; firing alerts), Alerts (the firing alerts) and Brokers. Keys: tab / shift+tab switch views, q (or Esc, Ctrl-C) quits. When Prometheus stops answering, the last data stays on screen under a red line saying since when.

Not on a terminal (piped, in a script) or with --json: one snapshot, as plain lines or JSON, then exit 0. A missing series (a stage not running) shows as "–" (null in JSON).

${MONITORING_URLS_HELP} Alerts come from Alertmanager, or from Prometheus when Alertmanager does not answer. Exits 4 when Prometheus does not answer at the start.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'One snapshot for a script', command: '<%= config.bin %> <%= command.id %> --json'},
    {
      description: 'Another Prometheus, refreshed every 5 s',
      command: '<%= config.bin %> <%= command.id %> --prometheus-url http://prometheus:9090 --interval 5',
    },
  ]

  static override flags = {
    ...monitoringFlags,
    interval: Flags.integer({description: 'Seconds between refreshes on a terminal.', default: 1, min: 1}),
    view: Flags.string({description: 'The view to start with.', options: [...VIEWS], default: 'overview'}),
  }

  async run(): Promise<PlatformSnapshot> {
    const urls = monitoringUrls(this.flags, this.connection({allowUnknown: true}).profile.stateDir)
    const [prometheusUrl, alertmanagerUrl] = [urls.prometheus.url, urls.alertmanager.url]
    const snapshot = await platformSnapshot(prometheusUrl, alertmanagerUrl)
    if (process.stdout.isTTY && process.stdin.isTTY && !this.jsonEnabled()) {
      const initialView = this.flags.view as (typeof VIEWS)[number]
      await runTop({prometheusUrl, alertmanagerUrl, intervalMs: this.flags.interval * 1000, initial: snapshot, initialView})
    } else this.log(snapshotLines(snapshot))
    return snapshot
  }
}
