import {grown} from '../typed-arrays.js'

/**
 * Every term's postings (document ids, ascending, each with its impact: what
 * the term contributes to the document's score) in two shared typed arrays
 * instead of an object per posting: 8 bytes each. A term's list lives in one
 * region of the arena; when it outgrows the region it moves to a bigger one
 * at the end and the old region becomes garbage until the next compaction.
 *
 * Nothing already written is ever changed in place: appends go past a
 * list's length, moves and growth write past the arena's end or into new
 * arrays. So a snapshot that keeps the arrays and each list's (offset,
 * length) as they were reads a consistent index while updates go on.
 */
export class Postings {
  docs: Uint32Array
  impacts: Float32Array
  /** Used length of the arena (live lists, their spare room and garbage). */
  used = 0
  /** Slots of the arena no list points to any more. */
  garbage = 0
  /** Postings in all lists (dead documents included until compaction). */
  size = 0
  offsets: Int32Array
  lengths: Int32Array
  capacities: Int32Array
  terms = 0

  constructor(initialPostings = 1 << 16, initialTerms = 1 << 12) {
    this.docs = new Uint32Array(initialPostings)
    this.impacts = new Float32Array(initialPostings)
    this.offsets = new Int32Array(initialTerms)
    this.lengths = new Int32Array(initialTerms)
    this.capacities = new Int32Array(initialTerms)
  }

  /** A new empty list; its number is the term's id. */
  addTerm(): number {
    if (this.terms === this.offsets.length) {
      const size = this.terms * 2
      this.offsets = grown(this.offsets, size)
      this.lengths = grown(this.lengths, size)
      this.capacities = grown(this.capacities, size)
    }
    return this.terms++
  }

  /** Appends a posting; `doc` must be above every document already in the list. */
  append(term: number, doc: number, impact: number): void {
    const length = this.lengths[term]!
    if (length === this.capacities[term]) this.move(term, length === 0 ? 1 : length * 2)
    const at = this.offsets[term]! + length
    this.docs[at] = doc
    this.impacts[at] = impact
    this.lengths[term] = length + 1
    this.size++
  }

  private move(term: number, capacity: number): void {
    this.reserve(capacity)
    const from = this.offsets[term]!
    const length = this.lengths[term]!
    this.docs.copyWithin(this.used, from, from + length)
    this.impacts.copyWithin(this.used, from, from + length)
    this.garbage += this.capacities[term]!
    this.offsets[term] = this.used
    this.capacities[term] = capacity
    this.used += capacity
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.docs.length) return
    const size = Math.max(this.docs.length * 2, this.used + extra)
    this.docs = grown(this.docs, size)
    this.impacts = grown(this.impacts, size)
  }

  /**
   * A new arena with only the postings whose document `keep` maps to an id
   * (>= 0), renumbered, each list packed without spare room: what a
   * compaction installs and a snapshot writes.
   */
  compacted(keep: (doc: number) => number): Postings {
    const out = new Postings(1, Math.max(1, this.terms))
    out.terms = this.terms
    let total = 0
    for (let t = 0; t < this.terms; t++) total += this.lengths[t]!
    out.docs = new Uint32Array(Math.max(1, total))
    out.impacts = new Float32Array(Math.max(1, total))
    let at = 0
    for (let t = 0; t < this.terms; t++) {
      out.offsets[t] = at
      const from = this.offsets[t]!
      const end = from + this.lengths[t]!
      for (let i = from; i < end; i++) {
        const doc = keep(this.docs[i]!)
        if (doc < 0) continue
        out.docs[at] = doc
        out.impacts[at++] = this.impacts[i]!
      }
      out.lengths[t] = at - out.offsets[t]!
      out.capacities[t] = out.lengths[t]!
    }
    out.used = at
    out.size = at
    return out
  }

  /** Position of `doc` in the term's list, or -1 (binary search: lists are sorted). */
  find(term: number, doc: number): number {
    let lo = this.offsets[term]!
    let hi = lo + this.lengths[term]! - 1
    const docs = this.docs
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const at = docs[mid]!
      if (at === doc) return mid
      if (at < doc) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }
}
