import {Flags} from '@oclif/core'

import {aclDiff, desiredAcls, type AclDiff} from '../../src/security/index.js'
import {aclDiffLines} from '../../src/ui/acl-diff.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class AclDiffCommand extends BaseCommand<typeof AclDiffCommand> {
  static override summary = 'Show how the cluster drifted from the ACL file.'
  static override description = `"+" is in the file but not on the cluster (apply adds it), "-" is on the cluster but not in the file (apply removes it). Changes nothing. With --exit-code, exits 1 when there is drift (for scripts and CI).`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --exit-code --json']

  static override flags = {
    file: Flags.file({description: 'ACL file (default: compose/acls.yaml of this package).', exists: true}),
    spec: Flags.file({description: 'Topic spec the file is checked against (default: compose/topics.yaml).', exists: true}),
    'exit-code': Flags.boolean({description: 'Exit 1 when the cluster differs from the file.'}),
  }

  async run(): Promise<AclDiff> {
    const {profile} = this.connection()
    const desired = desiredAcls({...(this.flags.file ? {file: this.flags.file} : {}), ...(this.flags.spec ? {specFile: this.flags.spec} : {})})
    const diff = await aclDiff(profile, desired)
    for (const line of aclDiffLines(diff)) this.log(line)
    const drift = diff.add.length + diff.remove.length + diff.foreign.length
    this.log(
      drift === 0
        ? `No drift: the cluster has exactly the ${diff.unchanged} ACLs of the file.`
        : `${drift} difference(s), ${diff.unchanged} ACL(s) as in the file.`,
    )
    if (drift > 0 && this.flags['exit-code']) process.exitCode = 1
    return diff
  }
}
