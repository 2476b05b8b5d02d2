import {Flags} from '@oclif/core'

import {applyAcls, desiredAcls, type AclDiff} from '../../src/security/index.js'
import {aclDiffLines} from '../../src/ui/acl-diff.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class AclApply extends BaseCommand<typeof AclApply> {
  static override summary = "Make the cluster's ACLs exactly those of the ACL file (idempotent)."
  static override description = `Reads compose/acls.yaml (or --file), checks every topic it names against the topic spec, adds the ACLs the cluster lacks and removes the ones the file does not list (also DENY or host-specific ones it cannot express). Prints each change; a second run changes nothing. Needs the admin (the default profile of a local runtime).`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Apply an edited copy (e.g. one more grant)', command: '<%= config.bin %> <%= command.id %> --file my-acls.yaml'},
  ]

  static override flags = {
    file: Flags.file({description: 'ACL file (default: compose/acls.yaml of this package).', exists: true}),
    spec: Flags.file({description: 'Topic spec the file is checked against (default: compose/topics.yaml).', exists: true}),
  }

  async run(): Promise<AclDiff> {
    const {profile} = this.connection()
    const desired = desiredAcls({...(this.flags.file ? {file: this.flags.file} : {}), ...(this.flags.spec ? {specFile: this.flags.spec} : {})})
    const diff = await applyAcls(profile, desired)
    for (const line of aclDiffLines(diff)) this.log(line)
    this.log(`${diff.add.length} added, ${diff.remove.length + diff.foreign.length} removed, ${diff.unchanged} unchanged.`)
    return diff
  }
}
