import {Args, Flags} from '@oclif/core'

import {showSubject, type SubjectVersion} from '../../src/schema/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class SchemaShow extends BaseCommand<typeof SchemaShow> {
  static override summary = "Print one version of a subject's schema."
  static override examples = [
    '<%= config.bin %> <%= command.id %> shop-products-value',
    '<%= config.bin %> <%= command.id %> shop-products-value --version 1 --json',
  ]
  static override args = {subject: Args.string({required: true, description: 'Subject, e.g. shop-products-value.'})}
  static override flags = {version: Flags.string({description: 'Version number or "latest".', default: 'latest'})}

  async run(): Promise<SubjectVersion> {
    const found = await showSubject(this.connection().profile, this.args.subject, this.flags.version)
    this.log(`${found.subject} version ${found.version} (id ${found.id})`)
    this.log(JSON.stringify(found.schema, null, 2))
    return found
  }
}
