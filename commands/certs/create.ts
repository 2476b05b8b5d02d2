import path from 'node:path'

import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {readRuntimeState} from '../../src/infra/index.js'
import {ensureCertificates} from '../../src/security/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {stateDirFlag} from '../../src/ui/infra-flags.js'

export default class CertsCreate extends BaseCommand<typeof CertsCreate> {
  static override summary = 'Create the local CA and the broker and client certificates (keeps the ones still valid).'
  static override description = `Writes <state dir>/certs: ca.pem and ca-key.pem, and per broker (kafka-1…kafka-N) and client (admin) NAME.pem (certificate + CA), NAME-key.pem (PKCS#8) and NAME-keystore.pem (key + chain, for Kafka's ssl.keystore.type=PEM). Keys are ECDSA P-256; the directory is 0700 and every file 0600.

Running it again keeps every certificate that is still valid for what is asked and re-issues one that is missing, unreadable, expires within 30 days or whose host names changed; a new CA re-issues them all. Broker certificates are valid for their own name, localhost, 127.0.0.1, the runtime's host and every --host.`
  static override examples = [
    {description: 'Certificates for the saved runtime (or a single broker)', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Three brokers also reached as kafka.example.test and 10.0.0.5',
      command: '<%= config.bin %> <%= command.id %> --brokers 3 --host kafka.example.test --host 10.0.0.5',
    },
    {description: 'Renew everything, the CA too', command: '<%= config.bin %> <%= command.id %> --force'},
  ]

  static override flags = {
    'state-dir': stateDirFlag,
    force: Flags.boolean({description: 'Renew everything: a new CA, then every broker and client certificate.'}),
    brokers: Flags.option({
      options: ['1', '3'] as const,
      description: "Brokers to issue certificates for (default: the saved runtime's, else 1).",
      helpGroup: 'RUNTIME',
    })(),
    host: Flags.string({description: 'Another host name or IP address the brokers are reached by (repeatable).', multiple: true}),
  }

  async run(): Promise<{dir: string; created: string[]; kept: string[]}> {
    const {flags} = this
    const stateDir = flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const layout = readRuntimeState(stateDir)?.layout
    const brokers = flags.brokers ? Number(flags.brokers) : (layout?.brokers ?? 1)
    // The same hosts `infra up` asks for (name, runtime host), so that neither re-issues what the other made.
    const nodes = Array.from({length: brokers}, (_, i) => {
      const name = `kafka-${i + 1}`
      return {name, hosts: [name, ...(layout ? [layout.host] : []), ...(flags.host ?? [])]}
    })
    const {created, kept, paths} = await ensureCertificates({stateDir, nodes, clients: ['admin'], force: flags.force})
    for (const file of created) this.log(`${chalk.green('created')}  ${path.relative(paths.dir, file)}`)
    for (const file of kept) this.log(`${chalk.dim('kept')}     ${path.relative(paths.dir, file)}`)
    this.log(`${created.length} created, ${kept.length} kept in ${paths.dir}`)
    return {dir: paths.dir, created, kept}
  }
}
