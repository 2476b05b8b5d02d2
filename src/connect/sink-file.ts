import fs from 'node:fs'

/**
 * The records of a FileStreamSink file (one JSON value per line), counted by
 * a key field. The sink writes at least once and not atomically: a reader
 * can see the last line half written, and a worker killed mid-line leaves a
 * torn prefix that the restarted task writes its next line after. Neither
 * is a record; the torn one is written again whole, since its offset was
 * never committed.
 */
export function countSinkRecords(file: string, key: string): Map<string, number> {
  const counts = new Map<string, number>()
  if (!fs.existsSync(file)) return counts
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  lines.pop() // after the last newline: empty, or a line still being written
  for (const line of lines) {
    const value = parseLine(line)?.[key]
    if (typeof value === 'string') counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  return counts
}

function parseLine(line: string): Record<string, unknown> | undefined {
  if (!line) return undefined
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    // A torn prefix: the whole record behind it starts at the first '{' from which the rest parses.
    for (let at = line.indexOf('{', 1); at > 0; at = line.indexOf('{', at + 1)) {
      try {
        return JSON.parse(line.slice(at)) as Record<string, unknown>
      } catch {
        continue
      }
    }
    return undefined
  }
}
