import {renderTable} from '../../src/ui/table.js'
import {percentile} from './measure.js'
import type {Arrival, LagSample} from './soak-observe.js'

export interface Fault {
  name: string
  /** The stage whose output shows the takeover. */
  stage: 'filter' | 'mirror' | 'sink'
  at: number
  back: number
  /** Filter partitions the killed worker held (its takeover is measured on those only). */
  partitions?: number[]
}

export interface SoakResult {
  cards: number
  rate: number
  minutes: number
  started: number
  sendSeconds: number
  /** First arrival of each card on filtered-products (main), on main.filtered-products (analytics), in the sink file. */
  filtered: Map<string, Arrival>
  mirrored: Map<string, Arrival>
  sunk: Map<string, number>
  records: {filtered: number; mirrored: number; sink: number}
  samples: LagSample[]
  faults: Fault[]
  /** Key counts read again from the start after the run, read committed. */
  final: {filtered: Map<string, number>; mirrored: Map<string, number>}
}

const QUIET_AFTER_MS = 20_000
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n).toLocaleString('en')} ms` : 'n/a')

/** Whether a card produced at `t` met no fault: not between a fault and 20 s after its service was back. */
function quiet(t: number, faults: Fault[]): boolean {
  return faults.every((f) => t < f.at || t > f.back + QUIET_AFTER_MS)
}

function latencyRow(name: string, values: number[]): Array<string | number> {
  const sorted = [...values].sort((a, b) => a - b)
  return [name, sorted.length, ms(percentile(sorted, 50)), ms(percentile(sorted, 99)), ms(sorted.at(-1) ?? Number.NaN)]
}

/**
 * From the kill until the stage's output resumes. Filter: the first output
 * of a card produced after the kill (on the killed worker's partitions, for
 * a worker). MirrorMaker 2 and Connect: the first record they deliver more
 * than a second after the kill (what arrives within it is the dead
 * process's last writes, still on their way to our reader).
 */
function takeover(result: SoakResult, fault: Fault): number {
  const first = (arrivals: number[], after: number) => arrivals.reduce((min, t) => (t > after && t < min ? t : min), Number.POSITIVE_INFINITY) - fault.at
  const {filtered, mirrored, sunk} = result
  if (fault.stage === 'filter')
    return first(
      [...filtered.values()].filter((a) => a.producedAt > fault.at && (!fault.partitions?.length || fault.partitions.includes(a.partition))).map((a) => a.at),
      fault.at,
    )
  return first(fault.stage === 'mirror' ? [...mirrored.values()].map((a) => a.at) : [...sunk.values()], fault.at + 1000)
}

/** The longest time the acknowledged count of the send did not move while cards were still to come. */
function longestStall(samples: LagSample[], cards: number): number {
  let stall = 0
  let from: {at: number; total: number} | undefined
  for (const s of samples) {
    const total = s.values.acknowledged
    if (total === undefined) continue
    if (!from || total !== from.total) {
      if (from && from.total < cards) stall = Math.max(stall, s.at - from.at)
      from = {at: s.at, total}
    }
  }
  return stall
}

export function printSoakReport(r: SoakResult): void {
  const {filtered, mirrored, sunk, faults} = r
  const stage = (pick: (id: string, f: Arrival) => number | undefined, onlyQuiet: boolean) =>
    [...filtered]
      .filter(([, f]) => !onlyQuiet || quiet(f.producedAt, faults))
      .map(([id, f]) => pick(id, f))
      .filter((v): v is number => v !== undefined)
  // End-to-end latency as each stage sees it: from the card's produce timestamp to its first arrival there.
  const stages: Array<[string, (id: string, f: Arrival) => number | undefined]> = [
    ['filtered-products (main): shop send → exactly-once filter', (_, f) => f.at - f.producedAt],
    ['main.filtered-products (analytics): … → MirrorMaker 2', (id, f) => (mirrored.has(id) ? mirrored.get(id)!.at - f.producedAt : undefined)],
    ['sink file: … → Connect file sink', (id, f) => (sunk.has(id) ? sunk.get(id)! - f.producedAt : undefined)],
  ]
  console.log(
    `\nSoak: ${r.cards.toLocaleString('en')} generated cards (each its own name and description) at ${r.rate}/s for ${r.minutes} min; full stack: 3 brokers (replication 3, min.insync.replicas 2), two exactly-once filter workers, MirrorMaker 2 (exactly once) to the analytics cluster, the Connect file sink\n`,
  )
  const span = (times: number[]) => {
    const [lo, hi] = times.reduce(([a, b], t) => [Math.min(a, t), Math.max(b, t)], [Number.POSITIVE_INFINITY, 0])
    return times.length > 1 ? (times.length / (hi - lo)) * 1000 : Number.NaN
  }
  console.log(
    renderTable(
      ['throughput', 'cards/s'],
      [
        ['acknowledged by Kafka (shop send, whole run)', (r.cards / r.sendSeconds).toFixed(0)],
        ['filtered-products', span([...filtered.values()].map((a) => a.at)).toFixed(0)],
        ['main.filtered-products (analytics)', span([...mirrored.values()].map((a) => a.at)).toFixed(0)],
        ['sink file', span([...sunk.values()]).toFixed(0)],
      ],
    ),
  )
  for (const onlyQuiet of [true, false]) {
    console.log(
      `\nEnd-to-end latency at each stage (from the card's produce time), ${onlyQuiet ? `cards that met no fault (produced before one, or 20 s after its service was back)` : 'every card'}`,
    )
    console.log(
      renderTable(
        ['stage', 'cards', 'p50', 'p99', 'max'],
        stages.map(([name, pick]) => latencyRow(name, stage(pick, onlyQuiet))),
      ),
    )
  }
  const lagRows = ['filter', 'mirror', 'sink'].map((name) => {
    const all = r.samples.filter((s) => s.values[name] !== undefined)
    const max = (list: LagSample[]) => list.reduce((m, s) => Math.max(m, s.values[name]!), 0)
    return [name, max(all.filter((s) => quiet(s.at, faults))), max(all), all.length]
  })
  console.log('\nLargest lag per stage (records; sampled every second: filter group, MirrorMaker 2 exact positions, Connect sink group)')
  console.log(renderTable(['stage', 'max lag, no fault', 'max lag, whole run', 'samples'], lagRows))
  if (faults.length > 0) {
    console.log('\nFaults (output resumed: the filter outputs a card produced after the kill; MirrorMaker 2 or Connect delivers again)')
    console.log(
      renderTable(
        ['fault', 'kill → ready again', 'output resumed after'],
        faults.map((f) => [f.name, ms(f.back - f.at), ms(takeover(r, f))]),
      ),
    )
    console.log(`longest stall of the send (no acknowledgement): ${ms(longestStall(r.samples, r.cards))}`)
  }
  const dup = (counts: Map<string, number>) => [...counts.values()].filter((n) => n > 1).length
  const missingFromSink = [...r.final.filtered.keys()].filter((id) => !sunk.has(id)).length
  const notMirrored = [...r.final.filtered.keys()].filter((id) => !r.final.mirrored.has(id)).length
  const checks: Array<[string, boolean, string]> = [
    [
      'filtered-products',
      r.final.filtered.size === r.cards && dup(r.final.filtered) === 0,
      `${r.final.filtered.size} of ${r.cards} cards, ${dup(r.final.filtered)} duplicated`,
    ],
    [
      'main.filtered-products (analytics)',
      r.final.mirrored.size === r.final.filtered.size && notMirrored === 0 && dup(r.final.mirrored) === 0,
      `${r.final.mirrored.size} cards, ${notMirrored} missing, ${dup(r.final.mirrored)} duplicated`,
    ],
    ['sink file (at least once)', missingFromSink === 0, `${sunk.size} cards, ${missingFromSink} missing, ${r.records.sink - sunk.size} lines written again`],
  ]
  console.log('\nCheck (read again from the start, read committed)')
  console.log(
    renderTable(
      ['where', 'result', ''],
      checks.map(([where, ok, detail]) => [where, ok ? (where.includes('at least once') ? 'nothing lost' : 'nothing lost or duplicated') : 'DEFECT', detail]),
    ),
  )
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1
}
