import type {StageSnapshot} from '../../monitoring/snapshot.js'
import {formatBytes, formatDuration} from '../table.js'

/** What a value Prometheus has no series for looks like. */
export const MISSING = '–'

/** Records (or requests) per second: one decimal below 100, whole numbers above, thin-space thousands. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return MISSING
  return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US').replaceAll(',', ' ')
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return MISSING
  return Math.round(value).toLocaleString('en-US').replaceAll(',', ' ')
}

/** A latency in seconds as a person reads it: 0.42 ms, 4.2 ms, 420 ms, 4.2 s. */
export function formatSeconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return MISSING
  const ms = value * 1000
  if (ms < 1) return `${ms.toFixed(2)} ms`
  if (ms < 10) return `${ms.toFixed(1)} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${value.toFixed(value < 10 ? 1 : 0)} s`
}

export function formatLag(stage: Pick<StageSnapshot, 'lag' | 'lagUnit'>): string {
  if (stage.lag === null) return MISSING
  if (stage.lagUnit === 'ms') return formatSeconds(stage.lag / 1000)
  if (stage.lagUnit === 's') return formatSeconds(stage.lag)
  return `${formatCount(stage.lag)} rec`
}

export function formatMemory(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? MISSING : formatBytes(bytes)
}

export function formatCpu(cores: number | null | undefined): string {
  return cores === null || cores === undefined ? MISSING : `${Math.round(cores * 100)}%`
}

/** How long ago an ISO time was: "3m05s". */
export function formatSince(iso: string, now = Date.now()): string {
  const at = Date.parse(iso)
  return Number.isNaN(at) ? MISSING : formatDuration(Math.max(0, Math.round((now - at) / 1000)))
}

/** HH:MM:SS of the local clock. */
export function formatClock(at: Date | string): string {
  return new Date(at).toTimeString().slice(0, 8)
}

/** What the stage's note column says: the DLQ rate of the filter, failed tasks of the sink. */
export function stageNote(stage: StageSnapshot): string {
  if (stage.dlqRate !== undefined) return stage.dlqRate === null || stage.dlqRate === 0 ? '' : `dlq ${formatRate(stage.dlqRate)}/s`
  if (stage.failedTasks !== undefined) return stage.failedTasks ? `${formatCount(stage.failedTasks)} failed task(s)` : ''
  return ''
}
