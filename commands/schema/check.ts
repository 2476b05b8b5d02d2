import path from 'node:path'

import {Args, Flags} from '@oclif/core'
import chalk from 'chalk'

import {ExitCode, MktError} from '../../src/errors.js'
import {checkCompatibility, readAvroSchema, subjectsForSchemaFile, type CompatibilityResult} from '../../src/schema/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class SchemaCheck extends BaseCommand<typeof SchemaCheck> {
  static override summary = 'Tell whether a changed Avro schema is compatible with what the registry holds.'
  static override description = `Parses the .avsc file, then asks the registry (compatibility level BACKWARD by default) whether it could be registered as the next version — without registering it. The subjects default to those the topic spec maps to the file's name (product-card.avsc → shop-products-value and filtered-products-value). Exits ${ExitCode.incompatible} when any subject would refuse it.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> compose/schemas/product-card.avsc',
    '<%= config.bin %> <%= command.id %> my-card-v2.avsc --subject shop-products-value',
  ]
  static override args = {file: Args.string({required: true, description: 'Avro schema file (.avsc).'})}
  static override flags = {subject: Flags.string({char: 's', description: 'Subject to check against (repeatable).', multiple: true})}

  async run(): Promise<{file: string; compatible: boolean; results: CompatibilityResult[]}> {
    const schema = readAvroSchema(this.args.file)
    const subjects = this.flags.subject ?? subjectsForSchemaFile(path.basename(this.args.file))
    if (subjects.length === 0)
      throw new MktError(
        `No subject to check ${this.args.file} against: the topic spec maps no topic to ${path.basename(this.args.file)}.`,
        'Pass --subject, e.g. --subject shop-products-value.',
        'usage',
      )
    const profile = this.connection().profile
    const results = await Promise.all(subjects.map((subject) => checkCompatibility(profile, subject, schema.text)))
    for (const r of results) {
      const verdict = r.newSubject
        ? chalk.green('new subject (any schema is accepted as version 1)')
        : r.compatible
          ? chalk.green('compatible')
          : chalk.red('NOT compatible')
      this.log(`${r.subject}: ${verdict}`)
      for (const m of r.messages) this.log(chalk.dim(`  ${m}`))
    }
    const compatible = results.every((r) => r.compatible)
    if (!compatible) process.exitCode = ExitCode.incompatible
    return {file: this.args.file, compatible, results}
  }
}
