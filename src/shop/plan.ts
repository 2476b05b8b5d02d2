import {MktError} from '../errors.js'
import {generateCards} from './generate.js'
import {generateRealisticCards} from './realistic.js'
import {continuous, paced} from './pace.js'
import {fromValues, openCardFile, type LineBlock, type SourceItem} from './sources.js'

export interface SourceOptions {
  file?: string
  generate?: number
  seed?: number
  /** What --generate makes: simple (few distinct texts, the default) or realistic (a name and a description per card). */
  catalogue?: 'simple' | 'realistic'
  store?: string
  continuous?: boolean
  /** Cards per second. */
  rate?: number
  /** Seconds between cards. */
  delay?: number
  signal?: AbortSignal
}

export interface PlannedSource {
  items: AsyncIterable<SourceItem | LineBlock>
  description: string
}

/** Turns `shop send` options into one stream of input records. */
export async function planSource(options: SourceOptions): Promise<PlannedSource> {
  if ((options.file === undefined) === (options.generate === undefined)) {
    throw new MktError('Give exactly one source: --file PATH or --generate N.', 'For example: mkt shop send --file data/products.json', 'usage')
  }
  if (options.rate !== undefined && options.delay !== undefined)
    throw new MktError('--rate and --delay both set the pace; give one of them.', 'Use --rate N (cards per second) or --delay SECONDS.', 'usage')
  if (options.rate !== undefined && !(options.rate > 0))
    throw new MktError(`--rate must be above 0, got ${options.rate}.`, 'Give cards per second, e.g. --rate 50.', 'usage')
  if (options.delay !== undefined && !(options.delay >= 0))
    throw new MktError(`--delay must be 0 or more seconds, got ${options.delay}.`, 'For example --delay 0.5.', 'usage')

  const pacing = options.rate !== undefined || options.delay !== undefined
  let open: () => Promise<AsyncIterable<SourceItem>>
  let description: string
  if (options.file !== undefined) {
    const file = options.file
    const first = await openCardFile(file) // fails now, not in the middle of sending, if the file is unreadable
    let used = false
    open = async () => {
      if (!used) {
        used = true
        return first.items
      }
      return (await openCardFile(file)).items
    }
    description = `${file} (${first.format === 'json-array' ? 'JSON array' : 'JSON Lines'})`
    // Sent once as fast as possible: raw JSON Lines blocks, split and parsed on the workers.
    if (!options.continuous && !pacing && first.blocks) return {items: first.blocks, description}
  } else {
    const count = options.generate!
    if (!Number.isInteger(count) || count < 1)
      throw new MktError(`--generate must be a whole number above 0, got ${count}.`, 'For example --generate 1000 --seed 7.', 'usage')
    const generate = options.catalogue === 'realistic' ? generateRealisticCards : generateCards
    open = async () => fromValues(generate({count, seed: options.seed ?? 1, ...(options.store ? {store: options.store} : {})}))
    description = `${count} generated${options.catalogue === 'realistic' ? ' realistic' : ''} cards (seed ${options.seed ?? 1})`
  }
  let items = options.continuous ? continuous(open, options.signal) : await open()
  if (pacing) {
    items = paced(items, {
      ...(options.rate !== undefined ? {rate: options.rate} : {}),
      ...(options.delay !== undefined ? {delayMs: options.delay * 1000} : {}),
      ...(options.signal ? {signal: options.signal} : {}),
    })
  }
  return {items, description: `${description}${options.continuous ? ', continuous' : ''}`}
}
