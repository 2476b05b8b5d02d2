// Runs one command class from its TypeScript source, as bin/run.js would run it from dist/ after a build:
//   node --import tsx test/helpers/run-command.ts commands/top.ts --json …
// For unit tests of new commands: oclif finds commands through oclif.manifest.json (written by `npm run build`),
// which a development tree may not have refreshed yet; this loads the class itself.
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {Config, flush, handle, type Command} from '@oclif/core'

type CommandClass = (new (argv: string[], config: Config) => Command) & Pick<typeof Command, 'run'>

const root = path.resolve(import.meta.dirname, '../..')
const [file, ...argv] = process.argv.slice(2)
if (!file) throw new Error('usage: run-command.ts commands/<id>.ts [args…]')
const {default: command} = (await import(pathToFileURL(path.resolve(root, file)).href)) as {default: CommandClass}
try {
  await command.run(argv, await Config.load({root}))
  await flush()
} catch (error) {
  await handle(error as Error)
}
setTimeout(() => process.exit(), 2000).unref()
