import chalk from 'chalk'

import {describeBinding, type AclDiff} from '../security/acl.js'

/** One line per ACL to add (+) or remove (-), as `acl apply` and `acl diff` print them. */
export function aclDiffLines(diff: AclDiff): string[] {
  return [
    ...diff.add.map((b) => `${chalk.green('+')} ${describeBinding(b)}`),
    ...diff.remove.map((b) => `${chalk.red('-')} ${describeBinding(b)}`),
    ...diff.foreign.map((f) => `${chalk.red('-')} ${f.description}`),
  ]
}
