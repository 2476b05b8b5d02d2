import {Args} from '@oclif/core'
import chalk from 'chalk'

import {configFilePath, redactProfile, type Profile, type ResolvedProfile} from '../../src/config/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'

export default class ProfileShow extends BaseCommand<typeof ProfileShow> {
  static override summary = 'Show the effective connection settings and where each comes from.'
  static override description =
    'Applies the precedence flag > MKT_* environment > profile > default and prints the result, each setting with its source. Passwords are masked.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> prod --json',
    'MKT_BROKERS=10.0.0.5:9092 <%= config.bin %> <%= command.id %>',
  ]
  static override args = {name: Args.string({description: 'Profile to show (default: the active one).'})}

  async run(): Promise<{file: string; stored: boolean; profile: Profile; sources: ResolvedProfile['sources']}> {
    if (this.args.name) (this.flags as {profile?: string}).profile = this.args.name
    const {profile, sources, stored} = this.connection()
    const shown = redactProfile(profile)
    const file = configFilePath()
    const src = (key: keyof ResolvedProfile['sources']) => chalk.dim(`(${sources[key]})`)
    this.log(`${chalk.bold(`profile ${profile.name}`)}${stored ? '' : chalk.yellow(' (not stored; defaults)')}  ${chalk.dim(file)}`)
    this.log(`  brokers          ${shown.brokers.join(', ')} ${src('brokers')}`)
    this.log(`  schema registry  ${shown.schemaRegistry.url} ${src('schemaRegistry')}`)
    this.log(`  tls              ${shown.tls?.enabled ? `on${shown.tls.ca ? `, ca ${shown.tls.ca}` : ''}` : 'off'} ${src('tls')}`)
    this.log(`  sasl             ${shown.sasl ? `${shown.sasl.mechanism} as ${shown.sasl.username}` : 'off'} ${src('sasl')}`)
    this.log(`  state dir        ${shown.stateDir} ${src('stateDir')}`)
    this.log(`  search indexer   ${shown.searchUrl} ${src('searchUrl')}`)
    return {file, stored, profile: shown, sources}
  }
}
