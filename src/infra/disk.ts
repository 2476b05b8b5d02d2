import fs from 'node:fs'
import path from 'node:path'

/** Bytes under dir (like `du -sb`); 0 when it does not exist. */
export function directorySize(dir: string): number {
  let total = 0
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, {withFileTypes: true})
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) total += directorySize(full)
    else if (entry.isFile()) {
      try {
        total += fs.statSync(full).blocks * 512 // allocated, not apparent: Kafka preallocates sparse index files
      } catch {}
    }
  }
  return total
}
