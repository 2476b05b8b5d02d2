import type {Origin} from './sources.js'

/** A refused input record as written to the DLQ (compose/schemas/rejected-record.avsc). */
export interface RejectedRecord {
  stage: string
  reason: string
  errors: string[]
  original: string
  original_encoding: 'TEXT' | 'BASE64'
  source_file: string | null
  source_line: number | null
  source_index: number | null
  source_topic: string | null
  source_partition: number | null
  source_offset: number | null
  rejected_at: string
}

export function rejectionFromInput(stage: string, origin: Origin, text: string, errors: string[]): RejectedRecord {
  return {
    stage,
    reason: errors[0] ?? 'rejected',
    errors,
    original: text,
    original_encoding: 'TEXT',
    source_file: origin.file ?? null,
    source_line: origin.line ?? null,
    source_index: origin.index,
    source_topic: null,
    source_partition: null,
    source_offset: null,
    rejected_at: new Date().toISOString(),
  }
}

/** "data/x.jsonl line 3" or "data/x.json #12" or "#12": where a user finds the record. */
export function describeOrigin(origin: Origin): string {
  const where = origin.line === undefined ? `#${origin.index}` : `line ${origin.line}`
  return origin.file ? `${origin.file} ${where}` : where
}
