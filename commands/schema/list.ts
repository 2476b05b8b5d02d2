import {listSubjects, type SubjectSummary} from '../../src/schema/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {renderTable} from '../../src/ui/table.js'

export default class SchemaList extends BaseCommand<typeof SchemaList> {
  static override summary = 'List schema-registry subjects with their versions.'
  static override description = 'Subjects follow the topic name strategy: the value schema of topic T is the subject "T-value".'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{subjects: SubjectSummary[]}> {
    const subjects = await listSubjects(this.connection().profile)
    if (subjects.length === 0) this.log('No subjects yet. `mkt shop send` registers the card schema on first use.')
    else
      this.log(
        renderTable(
          ['subject', 'versions', 'latest id'],
          subjects.map((s) => [s.subject, s.versions.join(', '), s.latestId]),
        ),
      )
    return {subjects}
  }
}
