import {pino, type Logger} from 'pino'

/**
 * Structured logs for long-running workers: one JSON object per line on
 * stderr (stdout stays free for data), level from MKT_LOG_LEVEL (default info).
 */
export function workerLogger(name: string, fields: Record<string, unknown> = {}): Logger {
  return pino(
    {name, level: process.env.MKT_LOG_LEVEL ?? 'info', base: {pid: process.pid, ...fields}, timestamp: pino.stdTimeFunctions.isoTime},
    pino.destination({dest: 2, sync: true}),
  )
}

export type {Logger}
