import fs from 'node:fs'
import path from 'node:path'

import type {Profile} from '../config/schema.js'
import type {IndexSnapshotData} from './catalog-index.js'

/** Bump when the analyzer or the index layout changes: older snapshots are then rebuilt, not loaded. */
export const SNAPSHOT_VERSION = 1

export interface SnapshotMeta {
  format: 'mkt-search-snapshot'
  version: number
  topic: string
  /** The cluster the offsets belong to. */
  brokers: string[]
  savedAt: string
  /** Next offset to read per partition of the topic. */
  offsets: Record<string, string>
  products: number
  texts: number
}

export function defaultSnapshotFile(profile: Profile): string {
  return path.join(profile.stateDir, 'search', `${profile.name}.snapshot`)
}

/**
 * Writes the snapshot atomically: a temporary file, fsync, rename. A crash
 * leaves the previous snapshot intact. Layout: three JSON lines (meta,
 * groups, products) and the minisearch index as the rest.
 */
export async function saveSnapshot(file: string, meta: SnapshotMeta, data: IndexSnapshotData): Promise<{bytes: number}> {
  await fs.promises.mkdir(path.dirname(file), {recursive: true})
  const temporary = `${file}.${process.pid}.tmp`
  const handle = await fs.promises.open(temporary, 'w', 0o600)
  let bytes = 0
  try {
    for (const part of [JSON.stringify(meta), '\n', JSON.stringify(data.groups), '\n', JSON.stringify(data.products), '\n', data.index]) {
      const {bytesWritten} = await handle.write(part)
      bytes += bytesWritten
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  await fs.promises.rename(temporary, file)
  return {bytes}
}

export interface LoadedSnapshot {
  meta: SnapshotMeta
  data: IndexSnapshotData
  bytes: number
}

/** The snapshot, or why it cannot be used (missing, another version, another cluster or topic, damaged). */
export async function loadSnapshot(file: string, expect: {topic: string; brokers: string[]}): Promise<{snapshot?: LoadedSnapshot; skipped?: string}> {
  let raw: Buffer
  try {
    raw = await fs.promises.readFile(file)
  } catch (error) {
    return {skipped: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot yet' : `cannot read ${file}: ${(error as Error).message}`}
  }
  const text = raw.toString('utf8')
  try {
    const first = text.indexOf('\n')
    const second = text.indexOf('\n', first + 1)
    const third = text.indexOf('\n', second + 1)
    if (first < 0 || second < 0 || third < 0) return {skipped: `${file} is incomplete`}
    const meta = JSON.parse(text.slice(0, first)) as SnapshotMeta
    if (meta.format !== 'mkt-search-snapshot' || meta.version !== SNAPSHOT_VERSION)
      return {skipped: `${file} has format version ${meta.version}, this mkt writes ${SNAPSHOT_VERSION}`}
    if (meta.topic !== expect.topic) return {skipped: `${file} indexes topic ${meta.topic}, not ${expect.topic}`}
    if ([...meta.brokers].sort().join(',') !== [...expect.brokers].sort().join(','))
      return {skipped: `${file} was taken from brokers ${meta.brokers.join(',')}`}
    const data: IndexSnapshotData = {
      groups: JSON.parse(text.slice(first + 1, second)) as IndexSnapshotData['groups'],
      products: JSON.parse(text.slice(second + 1, third)) as IndexSnapshotData['products'],
      index: text.slice(third + 1),
    }
    return {snapshot: {meta, data, bytes: raw.length}}
  } catch (error) {
    return {skipped: `${file} is damaged: ${(error as Error).message}`}
  }
}
