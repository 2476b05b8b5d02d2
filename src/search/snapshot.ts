import fs from 'node:fs'
import path from 'node:path'
import {setImmediate as yieldToQueries} from 'node:timers/promises'

import type {PackedProductTable} from '../catalog/product-table.js'
import type {Profile} from '../config/schema.js'
import type {IndexSnapshotData} from './catalog-index.js'
import type {TextIndexState} from './text-index.js'
import type {TypedArray as Typed} from '../typed-arrays.js'

/** Bump when the analyzer or the index layout changes: older snapshots are then rebuilt, not loaded. */
export const SNAPSHOT_VERSION = 3

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

const TYPES = {u8: Uint8Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array, f32: Float32Array, f64: Float64Array} as const
type TypeName = keyof typeof TYPES | 'json'
const typeOf = (array: Typed): TypeName => Object.entries(TYPES).find(([, t]) => array instanceof t)![0] as TypeName

const STRING_COLUMNS = ['ids', 'skus', 'names', 'labels', 'currencies'] as const
const TYPED_COLUMNS = ['brand', 'category', 'price', 'available', 'updated', 'currency'] as const

/** Work between two yields to the event loop while writing (strings serialised, postings packed): queries wait at most this much, a few milliseconds. */
const STRINGS_AT_ONCE = 10_000
const POSTINGS_AT_ONCE = 500_000

/** A JSON array of strings, a slice at a time (one JSON.stringify of a million names would hold the event loop). */
async function* jsonStrings(values: string[]): AsyncGenerator<string> {
  yield '['
  for (let i = 0; i < values.length; i += STRINGS_AT_ONCE) {
    if (i > 0) yield ','
    yield JSON.stringify(values.slice(i, i + STRINGS_AT_ONCE)).slice(1, -1)
    await yieldToQueries()
  }
  yield ']'
}

/** The postings of live documents only, packed term after term: lengths, then documents, then impacts. */
async function packPostings(text: TextIndexState): Promise<Pick<TextIndexState, 'offsets' | 'lengths' | 'docs' | 'impacts'>> {
  const terms = text.terms.length
  const lengths = new Int32Array(terms)
  let total = 0
  let work = 0
  for (let t = 0; t < terms; t++) {
    const from = text.offsets[t]!
    const end = from + text.lengths[t]!
    let n = 0
    for (let i = from; i < end; i++) if (text.alive[text.docs[i]!] === 1) n++
    lengths[t] = n
    total += n
    if ((work += end - from) > POSTINGS_AT_ONCE) {
      work = 0
      await yieldToQueries()
    }
  }
  const offsets = new Int32Array(terms)
  const docs = new Uint32Array(total)
  const impacts = new Float32Array(total)
  let at = 0
  for (let t = 0; t < terms; t++) {
    offsets[t] = at
    const from = text.offsets[t]!
    const end = from + text.lengths[t]!
    for (let i = from; i < end; i++) {
      const doc = text.docs[i]!
      if (text.alive[doc] !== 1) continue
      docs[at] = doc
      impacts[at++] = text.impacts[i]!
    }
    if ((work += end - from) > POSTINGS_AT_ONCE) {
      work = 0
      await yieldToQueries()
    }
  }
  return {offsets, lengths, docs, impacts}
}

/**
 * Writes the snapshot atomically (a temporary file, fsync, rename: a crash
 * leaves the previous one intact) without holding the event loop: the data
 * was captured synchronously (CatalogIndex.snapshot), and packing and
 * writing it yield between chunks, so searches go on meanwhile. Layout: the
 * meta as a JSON line, then sections, each a header line "name type bytes"
 * and its bytes (JSON, or a typed array in this machine's byte order).
 */
export async function saveSnapshot(file: string, meta: SnapshotMeta, data: IndexSnapshotData): Promise<{bytes: number}> {
  await fs.promises.mkdir(path.dirname(file), {recursive: true})
  const temporary = `${file}.${process.pid}.tmp`
  const handle = await fs.promises.open(temporary, 'w', 0o600)
  let bytes = 0
  const write = async (part: string | Uint8Array) => {
    const {bytesWritten} = typeof part === 'string' ? await handle.write(part) : await handle.write(part, 0, part.length)
    bytes += bytesWritten
  }
  const typed = async (name: string, array: Typed) => {
    await write(`${name} ${typeOf(array)} ${array.byteLength}\n`)
    await write(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))
  }
  // Encoded a slice at a time: joining a million names into one string first would hold the event loop.
  const strings = async (name: string, values: string[]) => {
    const parts: Buffer[] = []
    for await (const part of jsonStrings(values)) parts.push(Buffer.from(part))
    await write(`${name} json ${parts.reduce((sum, part) => sum + part.length, 0)}\n`)
    for (const part of parts) await write(part)
  }
  try {
    await write(`${JSON.stringify(meta)}\n`)
    const {text, docHashes, products, productDocs} = data
    const packed = await packPostings(text)
    await strings('terms', text.terms)
    await strings('words', text.words)
    for (const [name, array] of Object.entries({...packed, alive: text.alive, docTerms: text.docTerms})) await typed(name, array)
    await typed('docHashes', docHashes)
    await typed('productDocs', productDocs)
    for (const name of STRING_COLUMNS) await strings(`products.${name}`, products[name])
    for (const name of TYPED_COLUMNS) await typed(`products.${name}`, products[name])
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

function readSections(raw: Buffer, from: number): Map<string, unknown> {
  const sections = new Map<string, unknown>()
  let at = from
  while (at < raw.length) {
    const newline = raw.indexOf(10, at)
    if (newline < 0) throw new Error(`a section header at byte ${at} has no end`)
    const [name, type, size] = raw.toString('utf8', at, newline).split(' ') as [string, TypeName, string]
    const start = newline + 1
    const end = start + Number(size)
    if (!Number.isSafeInteger(Number(size)) || end > raw.length) throw new Error(`section ${name} is cut short`)
    if (type === 'json') sections.set(name, JSON.parse(raw.toString('utf8', start, end)))
    else if (type in TYPES) {
      const copy = new Uint8Array(end - start) // a copy: typed arrays need their own aligned memory
      copy.set(raw.subarray(start, end))
      sections.set(name, new TYPES[type as keyof typeof TYPES](copy.buffer))
    } else throw new Error(`section ${name} has unknown type ${type}`)
    at = end
  }
  return sections
}

function assemble(sections: Map<string, unknown>): IndexSnapshotData {
  const get = <T>(name: string): T => {
    if (!sections.has(name)) throw new Error(`section ${name} is missing`)
    return sections.get(name) as T
  }
  const alive = get<Uint8Array>('alive')
  return {
    text: {
      terms: get('terms'),
      offsets: get('offsets'),
      lengths: get('lengths'),
      docs: get('docs'),
      impacts: get('impacts'),
      alive,
      docTerms: get('docTerms'),
      documents: alive.length,
      words: get('words'),
    },
    docHashes: get('docHashes'),
    productDocs: get('productDocs'),
    products: Object.fromEntries([...STRING_COLUMNS, ...TYPED_COLUMNS].map((name) => [name, get(`products.${name}`)])) as unknown as PackedProductTable,
  }
}

/** The snapshot, or why it cannot be used (missing, another version, another cluster or topic, damaged). */
export async function loadSnapshot(file: string, expect: {topic: string; brokers: string[]}): Promise<{snapshot?: LoadedSnapshot; skipped?: string}> {
  let raw: Buffer
  try {
    raw = await fs.promises.readFile(file)
  } catch (error) {
    return {skipped: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot yet' : `cannot read ${file}: ${(error as Error).message}`}
  }
  try {
    const first = raw.indexOf(10)
    if (first < 0) return {skipped: `${file} is incomplete`}
    const meta = JSON.parse(raw.toString('utf8', 0, first)) as SnapshotMeta
    if (meta.format !== 'mkt-search-snapshot' || meta.version !== SNAPSHOT_VERSION)
      return {skipped: `${file} has format version ${meta.version}, this mkt writes ${SNAPSHOT_VERSION}`}
    if (meta.topic !== expect.topic) return {skipped: `${file} indexes topic ${meta.topic}, not ${expect.topic}`}
    if ([...meta.brokers].sort().join(',') !== [...expect.brokers].sort().join(','))
      return {skipped: `${file} was taken from brokers ${meta.brokers.join(',')}`}
    return {snapshot: {meta, data: assemble(readSections(raw, first + 1)), bytes: raw.length}}
  } catch (error) {
    return {skipped: `${file} is damaged: ${(error as Error).message}`}
  }
}
