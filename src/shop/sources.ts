import fs from 'node:fs'
import readline from 'node:readline'

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
  try {
    return {value: JSON.parse(item.raw)}
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

export async function openCardFile(file: string): Promise<{format: FileFormat; items: AsyncIterable<SourceItem>}> {
  try {
    const stat = await fs.promises.stat(file)
    if (!stat.isFile()) throw new Error('not a regular file')
    await fs.promises.access(file, fs.constants.R_OK)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message
    throw new MktError(`Cannot read the card file ${file}: ${reason}.`, 'Pass a JSON array or JSON Lines file, e.g. --file data/products.json.', 'notFound')
  }
  const format = await detectFormat(file)
  return {format, items: format === 'json-array' ? readJsonArray(file) : readJsonLines(file)}
}

/** JSON Lines, streamed: each non-blank line is one record (parsed later, see parseItem); a bad line is reported by whoever parses it, and the rest goes on. */
export async function* readJsonLines(file: string): AsyncGenerator<SourceItem> {
  const lines = readline.createInterface({input: fs.createReadStream(file, {encoding: 'utf8'}), crlfDelay: Infinity})
  let line = 0
  let index = 0
  for await (const raw of lines) {
    line++
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw
    if (!text.trim()) continue
    yield {origin: {file, line, index: index++}, raw: text}
  }
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
