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
    for (let position = 0; ;) {
      const {bytesRead} = await handle.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) return 'json-lines'
      const text = buffer
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
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
 * there. Nothing scans them on the reading thread: the worker numbers lines
 * within the block and whoever receives its results in order adds where the
 * block starts (see BlockPosition).
 */
export interface LineBlock {
  file: string
  /** The file's first block: its first line may start with a byte order mark. */
  first: boolean
  bytes: Uint8Array
}

export function isLineBlock(item: SourceItem | LineBlock): item is LineBlock {
  return 'bytes' in item
}

const NEWLINE = 0x0a
/** A blank line holds only spaces, tabs and a CR (and the BOM on line 1); it is skipped, not a record. */
const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d

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

/** Lines (each ended by a newline, or by the end of the block) and the non-blank ones among them. */
export interface BlockCounts {
  lines: number
  records: number
}

/**
 * Calls `fn` for each record of a block with its line (1 = the block's first)
 * and index (0 = the block's first record) and returns the counts. No
 * per-line objects: the worker's hot path.
 */
export function forEachLine(block: LineBlock, fn: (text: string, line: number, index: number) => void): BlockCounts {
  const text = decodeUtf8(Buffer.from(block.bytes.buffer, block.bytes.byteOffset, block.bytes.byteLength))
  let index = 0
  let line = 1
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    let from = start
    let to = end
    start = end + 1
    if (block.first && line === 1 && text.charCodeAt(0) === 0xfeff) from = 1
    if (to > from && text.charCodeAt(to - 1) === 0x0d) to--
    // Records start with "{" almost always, so the blank check rarely looks past the first character.
    let first = from
    while (first < to && isBlank(text.charCodeAt(first))) first++
    if (first < to) fn(text.slice(from, to), line, index++)
  }
  return {lines: line - 1, records: index}
}

/** Where the next block starts in its file; blocks must be added in file order. */
export class BlockPosition {
  line = 1
  index = 0

  /** The file position of a line and index given relative to the block that starts here. */
  origin(file: string, line: number, index: number): Origin {
    return {file, line: this.line + line - 1, index: this.index + index}
  }

  advance(counts: BlockCounts): void {
    this.line += counts.lines
    this.index += counts.records
  }
}

/** The records of a block as items, numbered from `position`, which moves past the block. */
export function splitLineBlock(block: LineBlock, position: BlockPosition): SourceItem[] {
  const items: SourceItem[] = []
  position.advance(forEachLine(block, (raw, line, index) => items.push({origin: position.origin(block.file, line, index), raw})))
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
    let first = true
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
        yield {file, first, bytes: new Uint8Array(buffer.buffer, 0, cut)}
        first = false
      }
      if (eof) return
    }
  } finally {
    await handle.close()
  }
}

/** JSON Lines, streamed record by record: each non-blank line is one record (parsed later, see parseItem); a bad line is reported by whoever parses it, and the rest goes on. */
export async function* readJsonLines(file: string): AsyncGenerator<SourceItem> {
  const position = new BlockPosition()
  for await (const block of readJsonLineBlocks(file)) yield* splitLineBlock(block, position)
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
