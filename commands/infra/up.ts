import {Flags} from '@oclif/core'

import {chooseRuntime, dockerUp, infraUp, type DockerUpResult, type UpResult} from '../../src/infra/index.js'
import {MktError} from '../../src/errors.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {portOverrides, runtimePortFlags, stateDirFlag} from '../../src/ui/infra-flags.js'
import {createProgress} from '../../src/ui/progress.js'
import {upReport} from '../../src/ui/up-report.js'

export default class InfraUp extends BaseCommand<typeof InfraUp> {
  static override summary = 'Start the runtime: a secure Kafka (KRaft) and the schema registry, then apply the topic spec and the ACLs.'
  static override description = `Starts real services as supervised background processes from artifacts that Maven resolves from Maven Central once and caches in ~/.cache/mkt: Apache Kafka 3.9 in KRaft mode (1 or 3 combined broker+controller nodes) and Apicurio Registry with its Confluent-compatible API. Waits until every service answers, applies compose/topics.yaml and writes the connection profile (named by --profile, default "local").

Secure by default: a CA and broker certificates under <state-dir>/certs, SCRAM-SHA-512 users with generated passwords under <state-dir>/secrets (0600, never printed), StandardAuthorizer with the ACLs of compose/acls.yaml. Besides NAME (the admin) it writes NAME:<principal> for every service principal (NAME:shop, NAME:filter, ...); each command picks its own.

Running it again on a running runtime changes nothing and says so; after \`infra down\` it restarts on the same data.`
  static override examples = [
    {description: 'Start a single broker and the registry', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'The full stack: 3 brokers, the analytics cluster, MirrorMaker 2, Kafka Connect, Prometheus, Alertmanager, a Spark cluster and HDFS',
      command: '<%= config.bin %> <%= command.id %> --stack full',
    },
    {description: 'A 3-node cluster (replication 3, min.insync.replicas=2)', command: '<%= config.bin %> <%= command.id %> --brokers 3'},
    {description: 'Plaintext, for a quick experiment', command: '<%= config.bin %> <%= command.id %> --insecure --state-dir ~/mkt-plain --profile plain'},
    {
      description: 'Next to another Kafka already on 9092',
      command: '<%= config.bin %> <%= command.id %> --kafka-port 29092 --registry-port 28081 --state-dir ~/mkt-alt --profile alt',
    },
  ]

  static override flags = {
    runtime: Flags.option({
      options: ['auto', 'local', 'docker'] as const,
      default: 'auto',
      description:
        'local: supervised processes on this machine. docker: compose/docker-compose.yml (needs a Docker engine and Compose v2; ports as the local defaults). auto: docker when a Docker engine answers, else local; a state dir keeps the runtime it was created with.',
      helpGroup: 'RUNTIME',
    })(),
    brokers: Flags.option({
      options: ['1', '3'] as const,
      description: 'Kafka nodes to run (default 1; 3 gives replication 3 and min.insync.replicas=2).',
      helpGroup: 'RUNTIME',
    })(),
    stack: Flags.option({
      options: ['core', 'full'] as const,
      description:
        'core: the main cluster and the registry. full: also a one-node analytics cluster fed by MirrorMaker 2 (main.<topic>), Kafka Connect with the file sink of the catalogue, Prometheus and Alertmanager, a Spark standalone cluster (master and worker, from the pyspark of `mkt analytics setup`) and an HDFS lake (NameNode and DataNode); 3 brokers unless --brokers says. Chosen when the runtime is created; a core runtime can grow to full.',
      helpGroup: 'RUNTIME',
    })(),
    ...runtimePortFlags,
    insecure: Flags.boolean({
      description:
        'Plaintext, no authentication, no ACLs (quick experiments only). The default is secure: TLS, SASL/SCRAM-SHA-512 and least-privilege ACLs. Chosen when the runtime is created.',
      helpGroup: 'RUNTIME',
    }),
    'state-dir': stateDirFlag,
    timeout: Flags.integer({description: 'Seconds to wait for each service to answer.', default: 120, min: 5, helpGroup: 'RUNTIME'}),
  }

  async run(): Promise<UpResult | DockerUpResult> {
    const {flags} = this
    const resolved = this.connection({allowUnknown: true})
    const stateDir = flags['state-dir'] ?? resolved.profile.stateDir
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
    if ((await chooseRuntime(flags.runtime, stateDir, true)) === 'docker') {
      const brokers = flags.stack === 'full' ? '3' : '1'
      if (flags.insecure || Object.keys(portOverrides(flags)).length > 0 || (flags.brokers !== undefined && flags.brokers !== brokers))
        throw new MktError(
          'The compose deployment has fixed ports (the local defaults), is always secure, and runs 1 broker (core) or 3 (--stack full).',
          'Leave out the port flags, --insecure and --brokers with --runtime docker; edit compose/docker-compose.yml for other ports.',
          'usage',
        )
      let docker: DockerUpResult
      try {
        docker = await dockerUp({
          stateDir,
          stack: flags.stack ?? 'core',
          profileName: resolved.profile.name,
          onProgress: progress,
        })
      } finally {
        progress.stop()
      }
      this.log(`Compose deployment up (${docker.stack} stack, project mkt); secrets copied to ${stateDir} (0600).`)
      this.log(`Profiles: ${docker.profiles.join(', ')}. Try \`mkt status\`; \`mkt infra status --runtime docker\` lists the containers.`)
      return docker
    }
    let result: UpResult
    try {
      result = await infraUp({
        stateDir,
        overrides: {
          ...portOverrides(flags),
          ...(flags.brokers ? {brokers: Number(flags.brokers) as 1 | 3} : {}),
          ...(flags.insecure ? {security: 'plaintext' as const} : {}),
          ...(flags.stack ? {stack: flags.stack} : {}),
        },
        profileName: resolved.profile.name,
        timeoutMs: flags.timeout * 1000,
        onProgress: progress,
      })
    } finally {
      progress.stop()
    }
    for (const line of upReport(result)) this.log(line)
    return result
  }
}
