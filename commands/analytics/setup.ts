import {setupPython} from '../../src/analytics/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {createProgress} from '../../src/ui/progress.js'

export default class AnalyticsSetup extends BaseCommand<typeof AnalyticsSetup> {
  static override summary = "Install the analytics job's Python environment (pyspark and friends) into the cache."
  static override description =
    'Creates a virtualenv under ~/.cache/mkt/python (keyed by spark/requirements.txt) and installs pyspark (which ships Spark and its jars), numpy, pandas and pyarrow. Needs Python 3.10+ with venv; about 450 MB, once. `mkt analytics run` uses it (or MKT_PYTHON).'
  static override examples = ['<%= config.bin %> <%= command.id %>']

  async run(): Promise<{python: string; pyspark: string; dir: string; created: boolean}> {
    const progress = createProgress({enabled: !this.jsonEnabled(), tty: this.interactive})
    try {
      const result = await setupPython(progress)
      progress.stop()
      this.log(result.created ? `Installed pyspark ${result.pyspark} in ${result.dir}.` : `Already set up: pyspark ${result.pyspark} in ${result.dir}.`)
      return result
    } finally {
      progress.stop()
    }
  }
}
