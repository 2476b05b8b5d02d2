import {configFilePath, readConfigFile} from '../../src/config/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

interface ProfileRow {
  name: string
  current: boolean
  brokers: string[]
  schemaRegistry?: string
  runtime?: string
}

export default class ProfileList extends BaseCommand<typeof ProfileList> {
  static override summary = 'List connection profiles; * marks the current one.'
  static override description = 'Profiles live in ~/.config/mkt/config.yaml (or the file MKT_CONFIG names). `mkt infra up` writes the "local" profile.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{file: string; current?: string; profiles: ProfileRow[]}> {
    const file = configFilePath()
    const config = readConfigFile(file)
    const profiles = Object.entries(config.profiles).map(([name, p]) => ({
      name,
      current: name === config.current,
      brokers: p.brokers ?? [],
      ...(p.schemaRegistry ? {schemaRegistry: p.schemaRegistry.url} : {}),
      ...(p.runtime ? {runtime: p.runtime} : {}),
    }))
    if (profiles.length === 0) this.log(`No profiles in ${file}. \`mkt infra up\` creates the "local" profile.`)
    else
      this.log(
        renderTable(
          ['', 'profile', 'brokers', 'schema registry', 'runtime'],
          profiles.map((p) => [p.current ? '*' : '', p.name, p.brokers.join(','), p.schemaRegistry ?? '-', p.runtime ?? '-']),
        ),
      )
    return {file, ...(config.current ? {current: config.current} : {}), profiles}
  }
}
