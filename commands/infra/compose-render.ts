import {Flags} from '@oclif/core'

import {renderComposeState} from '../../src/infra/index.js'
import {CONTAINER_STATE, stackFromProfiles} from '../../src/infra/docker/network.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class InfraComposeRender extends BaseCommand<typeof InfraComposeRender> {
  static override hidden = true
  static override summary = "The compose deployment's init: certificates, SCRAM passwords and every service's config in the state volume."
  static override description = `Run by the mkt-init service of compose/docker-compose.yml before anything else starts, as root on the mkt-state volume. Keeps what exists (the CA and certificates, passwords, cluster ids) and renders every config afresh from compose/, as the local runtime does. The stack comes from COMPOSE_PROFILES (MKT_STACK in the container).`
  static override examples = ['<%= config.bin %> <%= command.id %> --stack full']
  static override flags = {
    'state-dir': Flags.string({description: 'The state volume.', default: CONTAINER_STATE}),
    stack: Flags.string({description: 'COMPOSE_PROFILES of the deployment: "full" (in the list) for the full stack.', env: 'MKT_STACK', default: ''}),
    'advertised-host': Flags.string({description: 'The host name clients outside the compose network use.', env: 'MKT_ADVERTISED_HOST', default: '127.0.0.1'}),
    'volumes-dir': Flags.string({description: 'Where the data volumes to make group-writable are mounted.', default: '/volumes'}),
  }

  async run(): Promise<{stack: string; files: number; certificates: string[]}> {
    const {flags} = this
    const result = await renderComposeState({
      stateDir: flags['state-dir'],
      stack: stackFromProfiles(flags.stack),
      advertisedHost: flags['advertised-host'],
      volumesDir: flags['volumes-dir'],
    })
    this.log(
      `Rendered the ${result.stack} stack into ${flags['state-dir']}: ${result.files.length} file(s), ${result.certificates.length} certificate file(s) created.`,
    )
    return {stack: result.stack, files: result.files.length, certificates: result.certificates}
  }
}
