import {hdfsShell, type HdfsShellResult} from '../../src/infra/index.js'
import {BaseCommand} from '../../src/ui/base-command.js'
import {stateDirFlag} from '../../src/ui/infra-flags.js'

export default class InfraHdfs extends BaseCommand<typeof InfraHdfs> {
  static override summary = "Run Hadoop's file system shell (hdfs dfs) against the full stack's HDFS lake."
  static override description = `Runs org.apache.hadoop.fs.FsShell, what \`hdfs dfs\` runs, from the runtime's Hadoop jars with its configuration (fs.defaultFS = the runtime's NameNode, replication 1), so a path such as /mkt/lake is on the lake (hdfs://HOST:PORT/… and file:// paths work too). Every argument that is not one of mkt's own flags goes to the shell as it is, in order. Exits with the shell's own code (0 when every path worked, 1 otherwise). With --json prints {code, stdout, stderr}.`
  static override examples = [
    {description: 'What the analytics job wrote to the lake', command: '<%= config.bin %> <%= command.id %> -ls -R /mkt/lake'},
    {
      description: 'Make a directory and copy a file in',
      command: '<%= config.bin %> <%= command.id %> -mkdir -p /mkt/in && <%= config.bin %> <%= command.id %> -put data/products.json /mkt/in/',
    },
    {description: 'Sizes, human-readable (after --: -h is also mkt help)', command: '<%= config.bin %> <%= command.id %> -- -du -h /mkt'},
  ]

  static override strict = false
  static override passThrough = true
  static override flags = {'state-dir': stateDirFlag}

  async run(): Promise<HdfsShellResult> {
    const stateDir = this.flags['state-dir'] ?? this.connection({allowUnknown: true}).profile.stateDir
    const result = await hdfsShell(stateDir, this.positional)
    if (!this.jsonEnabled()) {
      process.stdout.write(result.stdout)
      process.stderr.write(result.stderr)
    }
    if (result.code !== 0) process.exitCode = result.code
    return result
  }
}
