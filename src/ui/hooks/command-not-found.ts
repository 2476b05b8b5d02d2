import {toConfiguredId, type Hook} from '@oclif/core'
import {closest} from 'fastest-levenshtein'

/**
 * Did-you-mean for scripts and pipes. On a terminal @oclif/plugin-not-found
 * asks whether to run the closest command; without one it only says the
 * command does not exist, so this names the closest one (the plugin then
 * ends with exit 127).
 */
const hook: Hook<'command_not_found'> = async function (options) {
  if (process.stdin.isTTY) return
  const visible = options.config.commands.filter((c) => !c.hidden).map((c) => c.id)
  if (visible.length === 0) return
  const suggestion = toConfiguredId(closest(options.id, visible), options.config)
  process.stderr.write(`Did you mean \`${options.config.bin} ${suggestion}\`? (\`${options.config.bin} help ${suggestion}\` shows how to use it)\n`)
}

export default hook
