import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {renderAlertmanagerConfig} from '../../src/monitoring/index.js'

const root = path.resolve(import.meta.dirname, '../..')
const template = fs.readFileSync(path.join(root, 'compose/alertmanager/alertmanager.yml'), 'utf8')

/** Runs a Prometheus tool from Debian's packages (`.ci/run` installs them); its output on failure. */
function tool(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  } catch (error) {
    const e = error as {code?: string; stdout?: string; stderr?: string}
    if (e.code === 'ENOENT') throw new Error(`${command} is not installed: sudo apt-get install -y prometheus prometheus-alertmanager`, {cause: error})
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, {cause: error})
  }
}

function check(config: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-am-')), 'alertmanager.yml')
  fs.writeFileSync(file, config)
  try {
    return tool('amtool', ['check-config', file])
  } finally {
    fs.rmSync(path.dirname(file), {recursive: true, force: true})
  }
}

describe('the shipped Prometheus and Alertmanager configuration', () => {
  it('passes promtool check config and check rules', () => {
    expect(tool('promtool', ['check', 'config', '--syntax-only', path.join(root, 'compose/prometheus/prometheus.yml')])).toMatch(/SUCCESS/)
    expect(tool('promtool', ['check', 'rules', path.join(root, 'compose/prometheus/rules/platform.yml')])).toMatch(/SUCCESS: 15 rules found/)
  })

  it('fires every alert on the series that should raise it, and no sooner (promtool test rules)', () => {
    const rules = fs.readFileSync(path.join(root, 'compose/prometheus/rules/platform.yml'), 'utf8')
    const tests = fs.readFileSync(path.join(root, 'test/prometheus/alerts.test.yml'), 'utf8')
    for (const [, name] of rules.matchAll(/- alert: (\w+)/g))
      expect(tests, `a test for ${name}`).toContain(`alertname: ${name}\n        exp_alerts:\n          - exp_labels`)
    expect(tool('promtool', ['test', 'rules', path.join(root, 'test/prometheus/alerts.test.yml')])).toMatch(/SUCCESS/)
  })

  it('renders an Alertmanager config amtool accepts, with e-mail only when SMTP is configured', () => {
    const webhookOnly = renderAlertmanagerConfig(template, {}, {webhookUrl: 'http://127.0.0.1:9099/alerts'})
    expect(check(webhookOnly)).toMatch(/SUCCESS[\s\S]*2 receivers/)
    expect(webhookOnly).not.toMatch(/smtp|email/)
    expect(webhookOnly).toContain('url: http://127.0.0.1:9099/alerts')

    const listOnly = renderAlertmanagerConfig(template, {})
    expect(check(listOnly), 'no webhook URL: receivers without one, still valid').toMatch(/SUCCESS[\s\S]*2 receivers/)
    expect(listOnly).not.toMatch(/webhook_configs|url:/)

    const withMail = renderAlertmanagerConfig(
      template,
      {
        MKT_ALERT_WEBHOOK_URL: 'https://hooks.example.com/mkt',
        MKT_SMTP_SMARTHOST: 'smtp.example.com:587',
        MKT_SMTP_FROM: 'mkt@example.com',
        MKT_ALERT_EMAIL_TO: 'oncall@example.com',
        MKT_SMTP_USERNAME: 'mkt',
        MKT_SMTP_PASSWORD_FILE: '/run/secrets/smtp-password',
      },
      {webhookUrl: 'unused'},
    )
    expect(check(withMail)).toMatch(/SUCCESS/)
    expect(withMail).toContain('smtp_smarthost: smtp.example.com:587')
    expect(withMail).toContain('smtp_auth_password_file: /run/secrets/smtp-password')
    expect(withMail).toContain('to: oncall@example.com')
    expect(withMail).toContain('url: https://hooks.example.com/mkt')
  })

  it('keeps a value with quotes, `: ` or `#` as the one string it is', () => {
    const awkward = {
      MKT_ALERT_WEBHOOK_URL: "https://hooks.example.com/mkt?team=o'brien#x",
      MKT_SMTP_SMARTHOST: 'smtp.example.com:587',
      MKT_SMTP_FROM: '"Mkt: alerts" <mkt@example.com>',
      MKT_ALERT_EMAIL_TO: "o'brien@example.com",
    }
    const rendered = renderAlertmanagerConfig(template, awkward)
    expect(check(rendered)).toMatch(/SUCCESS/)
    const config = YAML.parse(rendered) as {
      global: Record<string, string>
      receivers: Array<{email_configs?: Array<{to: string}>; webhook_configs?: Array<{url: string}>}>
    }
    expect(config.global.smtp_from).toBe(awkward.MKT_SMTP_FROM)
    expect(config.receivers.flatMap((r) => r.email_configs ?? []).map((e) => e.to)).toContain(awkward.MKT_ALERT_EMAIL_TO)
    expect(config.receivers.flatMap((r) => r.webhook_configs ?? []).map((w) => w.url)).toContain(awkward.MKT_ALERT_WEBHOOK_URL)
  })

  it('refuses half an SMTP setup, naming what is missing', () => {
    expect(() => renderAlertmanagerConfig(template, {MKT_SMTP_SMARTHOST: 'smtp.example.com:587'}, {webhookUrl: 'x'})).toThrow(
      /^MKT_SMTP_SMARTHOST is set but MKT_SMTP_FROM and MKT_ALERT_EMAIL_TO are not: Alertmanager cannot send e-mail without them\.$/,
    )
  })
})
