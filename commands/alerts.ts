import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {ExitCode} from '../src/errors.js'
import {firingAlerts, type AlertList} from '../src/monitoring/alerts.js'
import {BaseCommand} from '../src/ui/base-command.js'
import {MONITORING_URLS_HELP, monitoringFlags, monitoringUrls} from '../src/ui/monitoring-urls.js'
import {alertsTable} from '../src/ui/top/index.js'

export default class Alerts extends BaseCommand<typeof Alerts> {
  static override summary = 'List the firing alerts: name, severity, service and cluster, since when, summary.'
  static override description = `Asks Alertmanager (what notifies: after silences and inhibitions); when it does not answer, Prometheus's own firing rules (GET /api/v1/alerts, without silences), and says so. Most severe first, then the oldest.

${MONITORING_URLS_HELP}

Exits 0 even when alerts fire (listing is not failing). With --fail-on-firing it exits ${ExitCode.infra} when at least one alert (of --severity, if given) fires, after printing the list (or the JSON). ${ExitCode.unreachable} when neither Alertmanager nor Prometheus answers.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    {description: 'Also the silenced and inhibited ones', command: '<%= config.bin %> <%= command.id %> --all'},
    {
      description: `Exit ${ExitCode.infra} while anything critical fires (cron, CI gates)`,
      command: '<%= config.bin %> <%= command.id %> --severity critical --fail-on-firing',
    },
  ]

  static override flags = {
    ...monitoringFlags,
    all: Flags.boolean({description: 'Include alerts a silence or an inhibition rule holds back (Alertmanager only).'}),
    severity: Flags.string({description: 'Only alerts of this severity.', options: ['critical', 'warning', 'info']}),
    'fail-on-firing': Flags.boolean({description: `Exit ${ExitCode.infra} when an alert fires.`}),
  }

  async run(): Promise<AlertList & {firing: number}> {
    const urls = monitoringUrls(this.flags, this.connection({allowUnknown: true}).profile.stateDir)
    const list = await firingAlerts({alertmanagerUrl: urls.alertmanager.url, prometheusUrl: urls.prometheus.url, includeSuppressed: this.flags.all})
    const alerts = this.flags.severity ? list.alerts.filter((a) => a.severity === this.flags.severity) : list.alerts
    const from = list.source === 'alertmanager' ? `Alertmanager at ${list.url}` : `Prometheus at ${list.url}`
    if (list.alertmanagerError) this.logToStderr(chalk.yellow(`${list.alertmanagerError} Showing Prometheus's firing rules (silences do not apply).`))
    if (alerts.length === 0) this.log(`Nothing is firing${this.flags.severity ? ` at severity ${this.flags.severity}` : ''} (${from}).`)
    else {
      this.log(alertsTable(alerts))
      this.log(`${alerts.length} alert(s) firing (${from}).`)
    }
    const firing = alerts.filter((a) => a.state !== 'suppressed').length
    if (this.flags['fail-on-firing'] && firing > 0) process.exitCode = ExitCode.infra
    return {...list, alerts, firing}
  }
}
