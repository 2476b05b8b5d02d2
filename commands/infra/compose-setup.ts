import {applyClusterSpec} from '../../src/infra/index.js'
import {analyticsClusterProfile} from '../../src/ui/analytics-cluster.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {createProgress} from '../../src/ui/progress.js'

export default class InfraComposeSetup extends BaseCommand<typeof InfraComposeSetup> {
  static override hidden = true
  static override summary = "The compose deployment's cluster setup: the topic spec and the ACLs, on both clusters of the full stack."
  static override description = `Run by the kafka-setup service of compose/docker-compose.yml once the brokers are healthy, as the admin profile of the containers; what \`mkt infra up\` applies to the local runtime, the same way.`
  static override examples = ['<%= config.bin %> <%= command.id %>']

  async run(): Promise<{topics: number; acls?: number}> {
    const {profile} = this.connection()
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: false})
    try {
      const {topics, acls} = await applyClusterSpec(profile, profile.sasl !== undefined, analyticsClusterProfile(profile), progress)
      for (const line of topics.applied) this.log(`topics: ${line}`)
      if (acls) this.log(`acls: ${acls.add.length} added, ${acls.remove.length + acls.foreign.length} removed, ${acls.unchanged} unchanged`)
      return {topics: topics.applied.length, ...(acls ? {acls: acls.add.length} : {})}
    } finally {
      progress.stop()
    }
  }
}
