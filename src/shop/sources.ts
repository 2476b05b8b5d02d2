import {transcode} from 'node:buffer'
import fs from 'node:fs'

import chain from 'stream-chain'
import {parser} from 'stream-json'
import {streamArray} from 'stream-json/streamers/stream-array.js'

import {MktError} from '../errors.js'

export interface Origin {
  file?: string
  /** 1-based line, for JSON Lines input. */
  line?: number
  /** 0-based position among the records of the source. */
  index: number
}

/**
 * One record of input. `raw` is the text as read, when there is one (a JSON
 * Lines line), left unparsed so the parsing can happen on a worker thread;
 * `value` is set when the source already parsed it; `parseError` when it
 * could not be read at all.
 */
export interface SourceItem {
  origin: Origin
  raw?: string
  value?: unknown
  parseError?: string
}

/** The item's value, parsing `raw` if needed. */
export function parseItem(item: SourceItem): {value?: unknown; parseError?: string} {
  if (item.value !== undefined || item.parseError !== undefined || item.raw === undefined) return item
  return parseJson(item.raw)
}

export function parseJson(raw: string): {value?: unknown; parseError?: string} {
  try {
    return {value: JSON.parse(raw)}
  } catch (error) {
    return {parseError: `not valid JSON: ${(error as Error).message}`}
  }
}

/** The input as the user gave it, for the DLQ. */
export function originalText(item: SourceItem): string {
  return item.raw ?? (item.value === undefined ? '' : JSON.stringify(item.value))
}

export type FileFormat = 'json-array' | 'json-lines'

/** Detects the format from the first non-blank character: "[" is an array, anything else JSON Lines. */
export async function detectFormat(file: string): Promise<FileFormat> {
  const handle = await fs.promises.open(file, 'r')
  try {
    const buffer = Buffer.alloc(4096)
    for (let position = 0; ; ) {
      const {bytesRead} = await handle.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) return 'json-lines'
      const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '')
      const first = /\S/.exec(text)
      if (first) return first[0] === '[' ? 'json-array' : 'json-lines'
      position += bytesRead
    }
  } finally {
    await handle.close()
  }
}

export interface CardFile {
  format: FileFormat
  items: AsyncIterable<SourceItem>
  /** The same records as raw blocks for JSON Lines (cheapest to send: split and parsed on the worker threads). */
  blocks?: AsyncIterable<LineBlock>
}

export async function openCardFile(file: string): Promise<CardFile> {
  try {
    const stat = await fs.promises.stat(file)
    if (!stat.isFile()) throw new Error('not a regular file')
    await fs.promises.access(file, fs.constants.R_OK)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message
    throw new MktError(`Cannot read the card file ${file}: ${reason}.`, 'Pass a JSON array or JSON Lines file, e.g. --file data/products.json.', 'notFound')
  }
  const format = await detectFormat(file)
  if (format === 'json-array') return {format, items: readJsonArray(file)}
  // Both streams are lazy: whichever the caller iterates opens the file.
  return {format, items: readJsonLines(file), blocks: readJsonLineBlocks(file)}
}

/**
 * Raw bytes of whole JSON Lines, as read from the file: handed to a worker
 * thread as they are (transferred, not copied), which splits and parses them
 * there. The reader counts lines and records so that every record keeps its
 * line number and index wherever it is processed.
 */
export interface LineBlock {
  file: string
  /** 1-based line number of the first line in `bytes`. */
  firstLine: number
  /** Index of the first record in `bytes` among the records of the file. */
  firstIndex: number
  /** Non-blank lines in `bytes`. */
  records: number
  bytes: Uint8Array
}

export function isLineBlock(item: SourceItem | LineBlock): item is LineBlock {
  return 'bytes' in item
}

const NEWLINE = 0x0a
/** A blank line holds only spaces, tabs and a CR (and the BOM on line 1); it is skipped, not a record. */
const isBlankByte = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d
const isBlankChar = isBlankByte

/** Lines (each ended by a newline, or by the end of `bytes`) and how many are not blank. */
function countRecords(bytes: Uint8Array, firstLine: number): {lines: number; records: number} {
  let lines = 0
  let records = 0
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(NEWLINE, start)
    if (end === -1) end = bytes.length
    let from = start
    if (firstLine + lines === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) from = 3
    // Records start with "{" almost always, so the blank check rarely looks past the first byte.
    while (from < end && isBlankByte(bytes[from]!)) from++
    if (from < end) records++
    lines++
    start = end + 1
  }
  return {lines, records}
}

/**
 * UTF-8 to a string. ICU's converter (through buffer.transcode) is about twice
 * as fast as toString for Cyrillic text; it refuses invalid UTF-8, which
 * toString then decodes with replacement characters, as before.
 */
export function decodeUtf8(bytes: Buffer): string {
  try {
    return transcode(bytes, 'utf8', 'utf16le').toString('utf16le')
  } catch {
    return bytes.toString('utf8')
  }
}

/**
 * Calls `fn` for each record of a block with its line number and index; the
 * same split as countRecords. No per-line objects: the worker's hot path.
 */
export function forEachLine(block: LineBlock, fn: (text: string, line: number, index: number) => void): void {
  const text = decodeUtf8(Buffer.from(block.bytes.buffer, block.bytes.byteOffset, block.bytes.byteLength))
  let index = block.firstIndex
  let line = block.firstLine
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    let from = start
    let to = end
    start = end + 1
    if (line === 1 && text.charCodeAt(0) === 0xfeff) from = 1
    if (to > from && text.charCodeAt(to - 1) === 0x0d) to--
    // Records start with "{" almost always, so the blank check rarely looks past the first character.
    let first = from
    while (first < to && isBlankChar(text.charCodeAt(first))) first++
    if (first < to) fn(text.slice(from, to), line, index++)
  }
}

/** The records of a block as items, with their origin. */
export function splitLineBlock(block: LineBlock): SourceItem[] {
  const items: SourceItem[] = []
  forEachLine(block, (raw, line, index) => items.push({origin: {file: block.file, line, index}, raw}))
  return items
}

/**
 * JSON Lines in blocks of whole lines of about `blockBytes`, in constant
 * memory; each block owns its ArrayBuffer so it can be transferred to a worker.
 */
export async function* readJsonLineBlocks(file: string, blockBytes = 768 * 1024): AsyncGenerator<LineBlock> {
  const handle = await fs.promises.open(file, 'r')
  try {
    let carry: Uint8Array = new Uint8Array(0)
    let firstLine = 1
    let firstIndex = 0
    for (;;) {
      const buffer = Buffer.allocUnsafeSlow(Math.max(blockBytes, carry.length * 2))
      buffer.set(carry)
      const {bytesRead} = await handle.read(buffer, carry.length, buffer.length - carry.length, null)
      const filled = carry.length + bytesRead
      const eof = bytesRead === 0
      // Up to the last newline, or everything at the end of the file; the rest waits for more bytes.
      const cut = eof ? filled : buffer.lastIndexOf(NEWLINE, filled - 1) + 1
      if (cut === 0 && !eof) {
        carry = buffer.subarray(0, filled) // one line longer than the buffer: read on, with a bigger one
        continue
      }
      // A copy: the block's ArrayBuffer may be transferred to a worker before the next read.
      carry = new Uint8Array(buffer.subarray(cut, filled))
      if (cut > 0) {
        const bytes = new Uint8Array(buffer.buffer, 0, cut)
        const {lines, records} = countRecords(bytes, firstLine)
        if (records > 0) yield {file, firstLine, firstIndex, records, bytes}
        firstLine += lines
        firstIndex += records
      }
      if (eof) return
    }
  } finally {
    await handle.close()
  }
}

/** JSON Lines, streamed record by record: each non-blank line is one record (parsed later, see parseItem); a bad line is reported by whoever parses it, and the rest goes on. */
export async function* readJsonLines(file: string): AsyncGenerator<SourceItem> {
  for await (const block of readJsonLineBlocks(file)) yield* splitLineBlock(block)
}

/**
 * A JSON array, streamed element by element in constant memory. A syntax
 * error ends the array (nothing after it can be told apart), and is reported
 * as one rejected record saying where reading stopped.
 */
export async function* readJsonArray(file: string): AsyncGenerator<SourceItem> {
  const pipeline = chain([fs.createReadStream(file), parser(), streamArray()])
  let index = 0
  try {
    for await (const element of pipeline as AsyncIterable<{key: number; value: unknown}>) {
      index = element.key + 1
      yield {origin: {file, index: element.key}, value: element.value}
    }
  } catch (error) {
    yield {
      origin: {file, index},
      raw: '',
      parseError: `the JSON array is malformed (${(error as Error).message}); ${index} element(s) were read before the error, the rest of the file could not be read`,
    }
  } finally {
    pipeline.destroy()
  }
}

/** Cards given in memory (tests, generated input). */
export async function* fromValues(values: Iterable<unknown> | AsyncIterable<unknown>, file?: string): AsyncGenerator<SourceItem> {
  let index = 0
  for await (const value of values) {
    yield {origin: {...(file ? {file} : {}), index: index++}, value}
  }
}
