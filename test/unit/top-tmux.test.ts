import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BROKER_DOWN, postAlert, startMonitoringStack, type MonitoringStack} from '../helpers/monitoring-stack.js'

/**
 * `mkt top` in a real terminal: tmux (`.ci/run` installs it) runs it in a
 * 120×40 pane against a real Prometheus and Alertmanager, and the test reads
 * the screen as a user would see it. The command runs from its TypeScript
 * source through test/helpers/run-command.ts (what bin/run.js runs after
 * `npm run build`), so the unit project needs no build.
 */
const root = path.resolve(import.meta.dirname, '../..')
const socket = `mkt-top-test-${process.pid}`
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
const capture = () => tmux('capture-pane', '-p', '-t', 'top')
let stack: MonitoringStack

async function screenShows(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let screen = ''
  while (Date.now() < deadline) {
    screen = capture()
    if (pattern.test(screen)) return screen
    await sleep(100)
  }
  const pane = tmux('display-message', '-p', '-t', 'top', 'pane dead: #{pane_dead}, pid #{pane_pid}').trim()
  throw new Error(`the screen did not show ${pattern} in ${timeoutMs} ms (${pane}); it shows:\n${screen}`)
}

beforeAll(async () => {
  if (!fs.existsSync('/usr/bin/tmux')) throw new Error('tmux is not installed: sudo apt-get install -y tmux')
  stack = await startMonitoringStack('top-tmux')
  await Promise.all([stack.ready(), postAlert(stack.alertmanagerUrl, BROKER_DOWN.labels, BROKER_DOWN.annotations)])
}, 30_000)

afterAll(async () => {
  try {
    tmux('kill-server')
  } catch {} // already gone
  await stack?.stop()
})

describe('mkt top in a terminal (tmux)', () => {
  it('draws the dashboard, switches to the alerts on Tab and quits on q', {timeout: 120_000}, async () => {
    // CI=true as in CI: ink would then draw nothing until exit, and the dashboard must draw anyway.
    const env = ['CI=true', `MKT_CONFIG=${path.join(stack.dir, 'config.yaml')}`, `MKT_STATE_DIR=${path.join(stack.dir, 'state')}`]
    const top = [process.execPath, '--import', 'tsx', 'test/helpers/run-command.ts', 'commands/top.ts']
    const args = ['--prometheus-url', stack.prometheusUrl, '--alertmanager-url', stack.alertmanagerUrl]
    // After the command the pane stays, showing its exit code.
    const script = `cd '${root}' && env ${env.join(' ')} ${[...top, ...args].join(' ')}; echo "EXITED $?"; sleep 60`
    tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '40', script)

    // The first frame waits for tsx to compile the command, which shares two cores with the integration runtime in CI.
    const overview = await screenShows(/STAGE[\s\S]*filter\s+\d+\.\d/, 30_000)
    expect(overview).toMatch(/mkt top\s+Overview\s+Alerts\s+Brokers\s+http:\/\/127\.0\.0\.1:\d+\s+refreshed \d\d:\d\d:\d\d/)
    expect(overview).toMatch(/^STAGE\s+in\/s\s+out\/s\s+lag/m)
    expect(overview).toMatch(/^filter\s+\d+\.\d\s+\d+\.\d\s+42 rec\s+dlq \d+\.\d\/s/m)
    expect(overview).toMatch(/^connect sink\s+–\s+–\s+–/m)
    expect(overview).toMatch(/^kafka-2\s+main\s+down/m)
    expect(overview).toMatch(/^ALERTS\s+1 firing \(1 critical\): KafkaBrokerDown/m)
    // Refreshed every second: the clock in the header moves.
    const clock = /refreshed (\d\d:\d\d:\d\d)/.exec(overview)![1]
    await screenShows(new RegExp(`refreshed (?!${clock})\\d\\d:\\d\\d:\\d\\d`), 5000)

    tmux('send-keys', '-t', 'top', 'Tab')
    const alerts = await screenShows(/FIRING ALERTS/)
    expect(alerts).toMatch(/FIRING ALERTS \(1, from alertmanager http:\/\/127\.0\.0\.1:\d+\)/)
    expect(alerts).toMatch(/KafkaBrokerDown\s+critical\s+kafka-2 \/ main\s+for \d+m\d\ds/)
    expect(alerts).toContain('Broker kafka-2 (main cluster) is down')
    expect(alerts).not.toContain('STAGE')

    tmux('send-keys', '-t', 'top', 'q')
    await screenShows(/EXITED 0/, 10_000)
  })
})
