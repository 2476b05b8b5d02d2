import {Flags} from '@oclif/core'

import {listAcls, type AclBinding} from '../../src/security/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

interface Row {
  principal: string
  resource: string
  name: string
  operations: string[]
}

export default class AclList extends BaseCommand<typeof AclList> {
  static override summary = 'List the ACLs on the cluster, per principal.'
  static override description = `One row per principal and resource with the operations it is allowed. ACLs the file format cannot express (DENY, a host, cluster resources) are listed after the table.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --principal filter --json']

  static override flags = {
    principal: Flags.string({description: 'Only this principal (user name, e.g. shop).'}),
  }

  async run(): Promise<{acls: Row[]; other: string[]}> {
    const {profile} = this.connection()
    const state = await listAcls(profile)
    const grouped = new Map<string, Row>()
    const wanted = (b: AclBinding) => !this.flags.principal || b.principal === this.flags.principal
    for (const b of state.bindings.filter(wanted)) {
      const name = b.pattern === 'prefixed' ? `${b.name}*` : b.name
      const key = `${b.principal}|${b.resource}|${name}`
      const row = grouped.get(key) ?? {principal: b.principal, resource: b.resource, name, operations: []}
      row.operations.push(b.operation)
      grouped.set(key, row)
    }
    const acls = [...grouped.values()].sort(
      (a, b) => a.principal.localeCompare(b.principal) || a.resource.localeCompare(b.resource) || a.name.localeCompare(b.name),
    )
    for (const row of acls) row.operations.sort()
    const other = state.foreign.map((f) => f.description)
    if (acls.length === 0) this.log(this.flags.principal ? `No ACL allows ${this.flags.principal} anything.` : 'The cluster has no ACLs.')
    else
      this.log(
        renderTable(
          ['principal', 'resource', 'name', 'operations'],
          acls.map((r) => [r.principal, r.resource, r.name, r.operations.join(', ')]),
        ),
      )
    for (const line of other) this.log(`other: ${line}`)
    return {acls, other}
  }
}
