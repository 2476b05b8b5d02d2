import path from 'node:path'

import chalk from 'chalk'

import {describeCertificates, type CertInfo} from '../../src/security/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {stateDirFlag} from '../../src/ui/infra-flags.js'
import {renderTable} from '../../src/ui/table.js'

export default class CertsShow extends BaseCommand<typeof CertsShow> {
  static override summary = 'Show the local certificates: subject, host names, issuer, expiry.'
  static override description =
    'One row per certificate under <state dir>/certs, the CA first, and a warning for each that expires within 30 days (`mkt certs create` renews those). Exit 7 when there are none yet.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {'state-dir': stateDirFlag}

  async run(): Promise<CertInfo[]> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const certs = await describeCertificates(stateDir)
    this.log(
      renderTable(
        ['file', 'subject', 'SANs', 'issuer', 'expires', 'days left'],
        certs.map((c) => [
          path.basename(c.file),
          c.subject,
          c.sans.join(', ') || '-',
          c.isCa ? '(self-signed CA)' : c.issuer,
          c.notAfter.slice(0, 10),
          c.expiresSoon ? chalk.yellow(String(c.daysLeft)) : c.daysLeft,
        ]),
      ),
    )
    for (const c of certs.filter((c) => c.expiresSoon)) {
      const when = c.daysLeft < 0 ? `expired on ${c.notAfter.slice(0, 10)}` : `expires in ${c.daysLeft} day(s)`
      this.log(chalk.yellow(`Warning: ${path.basename(c.file)} ${when}; run \`mkt certs create\` to renew it.`))
    }
    return certs
  }
}
