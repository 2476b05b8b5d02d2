import {directorySize} from '../../src/infra/disk.js'
import {pullArtifacts, type ResolvedArtifact} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {createProgress} from '../../src/ui/progress.js'
import {formatBytes, renderTable} from '../../src/ui/table.js'

export default class InfraPull extends BaseCommand<typeof InfraPull> {
  static override summary = 'Download the runtime artifacts (Kafka, Apicurio) from Maven Central into the cache.'
  static override description =
    'Runs Maven on the manifests under compose/local once; `mkt infra up` does the same on first use. Useful before going offline or to warm a CI cache. The cache is ~/.cache/mkt (MKT_CACHE_DIR or XDG_CACHE_HOME move it).'
  static override examples = ['<%= config.bin %> <%= command.id %>']

  async run(): Promise<{artifacts: Array<ResolvedArtifact & {what: string; bytes: number}>}> {
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
    progress({type: 'start', id: 'pull', label: 'Resolving artifacts from Maven Central'})
    let resolved
    try {
      resolved = await pullArtifacts()
      progress({type: 'done', id: 'pull', detail: resolved.some((a) => a.downloaded) ? 'downloaded' : 'all cached'})
    } finally {
      progress.stop()
    }
    const artifacts = resolved.map((a) => ({...a, bytes: directorySize(a.dir)}))
    this.log(
      renderTable(
        ['artifact', 'state', 'size', 'cached in'],
        artifacts.map((a) => [a.what, a.downloaded ? 'downloaded' : 'cached', formatBytes(a.bytes), a.dir]),
      ),
    )
    return {artifacts}
  }
}
