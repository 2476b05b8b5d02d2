import chalk from 'chalk'

import type {ProgressEvent, ProgressListener} from '../infra/local-runtime.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * Renders progress on stderr: a live spinner line on a TTY, plain
 * "done" lines otherwise (CI logs, pipes), nothing with --json.
 */
export function createProgress(options: {enabled: boolean; tty: boolean; stream?: NodeJS.WriteStream}): ProgressListener & {stop(): void} {
  const stream = options.stream ?? process.stderr
  const labels = new Map<string, string>()
  let timer: NodeJS.Timeout | undefined
  let frame = 0
  let current: string | undefined

  const clear = () => {
    if (options.tty && current) stream.write('\r\u001B[2K')
  }
  const draw = () => {
    if (!current) return
    clear()
    stream.write(`${chalk.cyan(FRAMES[frame++ % FRAMES.length])} ${labels.get(current)}…`)
  }

  const listener = (event: ProgressEvent) => {
    if (!options.enabled) return
    if (event.type === 'note') {
      clear()
      stream.write(`${chalk.yellow('!')} ${event.message}\n`)
      draw()
      return
    }
    if (event.type === 'start') {
      labels.set(event.id, event.label)
      if (options.tty) {
        current = event.id
        timer ??= setInterval(draw, 80)
        draw()
      }
      return
    }
    clear()
    if (current === event.id) current = undefined
    stream.write(`${chalk.green('✔')} ${labels.get(event.id) ?? event.id}${event.detail ? chalk.dim(` (${event.detail})`) : ''}\n`)
    if (!current && timer) {
      clearInterval(timer)
      timer = undefined
    }
  }
  return Object.assign(listener, {
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      if (current) {
        clear()
        stream.write(`${chalk.red('✖')} ${labels.get(current)}\n`)
        current = undefined
      }
    },
  })
}

/** One live status line on a TTY (rewritten in place); silent otherwise. Messages print above it. */
export function createStatusLine(options: {enabled: boolean; stream?: NodeJS.WriteStream}): {
  update(text: string): void
  print(text: string): void
  clear(): void
} {
  const stream = options.stream ?? process.stderr
  let current = ''
  const clear = () => {
    if (options.enabled && current) stream.write('\r\u001B[2K')
  }
  return {
    update(text) {
      if (!options.enabled) return
      clear()
      current = text
      stream.write(text)
    },
    print(text) {
      clear()
      stream.write(`${text}\n`)
      if (options.enabled && current) stream.write(current)
    },
    clear() {
      clear()
      current = ''
    },
  }
}
