import fs from 'node:fs'

import {tailFile} from './process.js'

/** The last lines of a log, then (if follow) everything appended until the signal aborts. */
export async function streamLog(file: string, options: {lines: number; follow: boolean; signal?: AbortSignal; write: (text: string) => void}): Promise<void> {
  const head = tailFile(file, options.lines)
  if (head) options.write(`${head}\n`)
  if (!options.follow) return
  let offset = fs.existsSync(file) ? fs.statSync(file).size : 0
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      let size: number
      try {
        size = fs.statSync(file).size
      } catch {
        return
      }
      if (size < offset) offset = 0 // truncated or replaced
      if (size === offset) return
      const fd = fs.openSync(file, 'r')
      const buffer = Buffer.alloc(size - offset)
      fs.readSync(fd, buffer, 0, buffer.length, offset)
      fs.closeSync(fd)
      offset = size
      options.write(buffer.toString('utf8'))
    }, 250)
    options.signal?.addEventListener('abort', () => {
      clearInterval(timer)
      resolve()
    })
  })
}
