import fs from 'node:fs'
import path from 'node:path'

import type {AnalyticsSummary} from './job.js'

/** <state dir>/analytics/last-run.json: the summary of the last run that committed (a health check reads its age). */
export function lastRunFile(stateDir: string): string {
  return path.join(stateDir, 'analytics', 'last-run.json')
}

export function recordLastRun(stateDir: string, summary: AnalyticsSummary): void {
  const file = lastRunFile(stateDir)
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, `${JSON.stringify({...summary, recorded_at: new Date().toISOString()}, null, 2)}\n`)
  fs.renameSync(tmp, file)
}
