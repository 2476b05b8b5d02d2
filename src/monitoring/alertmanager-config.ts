import YAML from 'yaml'

import {MktError} from '../errors.js'

/** What the shared alertmanager.yml reads from the environment. */
export interface AlertmanagerEnv {
  MKT_ALERT_WEBHOOK_URL?: string
  MKT_SMTP_SMARTHOST?: string
  MKT_SMTP_FROM?: string
  MKT_ALERT_EMAIL_TO?: string
  MKT_SMTP_USERNAME?: string
  MKT_SMTP_PASSWORD_FILE?: string
}

const SMTP_NEEDS = ['MKT_SMTP_FROM', 'MKT_ALERT_EMAIL_TO'] as const

/**
 * compose/alertmanager/alertmanager.yml with its ${VARIABLES} filled in, as
 * Alertmanager (which does not read the environment) needs it. Without
 * MKT_SMTP_SMARTHOST there is no e-mail: the SMTP settings and the e-mail
 * receiver are left out rather than rendered empty, which Alertmanager
 * would refuse. Half an SMTP setup is an error naming what is missing.
 * Without any webhook URL the receivers keep no webhook: alerts are only
 * listed (Alertmanager's UI and API, `mkt alerts`), never POSTed nowhere.
 */
export function renderAlertmanagerConfig(template: string, env: AlertmanagerEnv, defaults: {webhookUrl?: string} = {}): string {
  const smtp = Boolean(env.MKT_SMTP_SMARTHOST)
  if (smtp) {
    const missing = SMTP_NEEDS.filter((name) => !env[name])
    if (missing.length > 0)
      throw new MktError(
        `MKT_SMTP_SMARTHOST is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not: Alertmanager cannot send e-mail without them.`,
        'Set them too, or unset MKT_SMTP_SMARTHOST to alert through the webhook only.',
        'usage',
      )
  }
  const webhookUrl = env.MKT_ALERT_WEBHOOK_URL || defaults.webhookUrl
  const values: Record<string, string | undefined> = {...(smtp ? env : {}), MKT_ALERT_WEBHOOK_URL: webhookUrl}
  // Filled in after parsing, into the string values: a value with a quote, `: ` or `#` stays one string.
  const doc = YAML.parseDocument(template)
  YAML.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string') node.value = node.value.replaceAll(/\$\{(\w+)\}/g, (_, name: string) => values[name] ?? '')
    },
  })
  const config = doc.toJS() as {
    global?: Record<string, unknown>
    receivers?: Array<Record<string, unknown>>
  }
  if (!webhookUrl) for (const receiver of config.receivers ?? []) delete receiver.webhook_configs
  if (!smtp) {
    for (const key of Object.keys(config.global ?? {})) if (key.startsWith('smtp_')) delete config.global![key]
    for (const receiver of config.receivers ?? []) delete receiver.email_configs
  } else {
    if (!env.MKT_SMTP_USERNAME) delete config.global!.smtp_auth_username
    if (!env.MKT_SMTP_PASSWORD_FILE) delete config.global!.smtp_auth_password_file
  }
  return `# Rendered by mkt from compose/alertmanager/alertmanager.yml; regenerated on every start.\n${YAML.stringify(config)}`
}
