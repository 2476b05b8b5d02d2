import {normalizeToken, processTerm, tokenize} from './analyzer.js'
import {grown} from '../typed-arrays.js'
import {Postings} from './postings.js'
import {TermDictionary} from './term-dictionary.js'

/** The fields of a document, in the order of FIELD_BOOST. */
export type DocFields = [name: string, brand: string, tags: string, category: string, description: string]

// A word in the title says more than the same word in the description.
export const FIELD_BOOST = [4, 3, 2, 1.5, 0.5] as const
const FIELDS = FIELD_BOOST.length
// A word among the name's first two weighs as much again as the name: a coffee machine "with control from a smartphone" is not a smartphone.
const LEAD_WORDS = 2
const LEAD_BOOST = 4
/**
 * The field lengths (in terms) BM25 normalises by: fixed, where BM25 takes
 * the catalogue's running average, so that an impact depends on its
 * document alone — the same whatever order the partitions were read in, and
 * the same after a restart from a snapshot as after a full rebuild. Roughly
 * a marketplace card's: a name of eight terms, a description of forty.
 */
const FIELD_LENGTH = [8, 1.5, 5, 1.5, 40] as const
// BM25's saturation and length normalisation.
const K1 = 1.2
const B = 0.7
// What a word that is only a prefix of the indexed one, or one with typos, is worth against the exact word.
const PREFIX_WEIGHT = 0.375
const FUZZY_WEIGHT = 0.45
// A last word that is no word of the catalogue is being typed: what it begins with weighs almost as the word itself.
const TYPING_WEIGHT = 0.9
/** Variants of one query word looked at, most frequent first: a short prefix must not cost a scan of the vocabulary's postings. */
const MAX_VARIANTS = 64

/** Typos allowed per word: none for short words (too many false friends), one from 5 letters, two from 9. */
export const fuzziness = (term: string) => (term.length >= 9 ? 2 : term.length >= 5 ? 1 : 0)

interface Variant {
  term: number
  weight: number
}

/**
 * A query word and what it may match: the exact term, longer terms it is a
 * prefix of (the word being typed), terms within its typo allowance.
 */
interface QueryWord {
  variants: Variant[]
  cost: number
}

export type Combine = 'and' | 'or'

/** A query word: its term, and the word as typed (normalised, not stemmed) for prefix matching. */
export interface QueryTerm {
  term: string
  typed: string
}

/**
 * The index as a snapshot sees it. From capture(): small arrays copied, the
 * postings arena shared (never changed in place, see Postings). For
 * restore(): postings packed, each term's list at offsets[t], lengths[t].
 */
export interface TextIndexState {
  terms: string[]
  offsets: Int32Array
  lengths: Int32Array
  docs: Uint32Array
  impacts: Float32Array
  alive: Uint8Array
  docTerms: Uint16Array
  documents: number
  /** Words seen whose term is not the word itself (inflected forms), to tell a whole word from one being typed. */
  words: string[]
}

/**
 * A compact inverted index over documents of five weighted fields. Impacts
 * (the BM25F term-frequency part) are computed once at index time, the idf
 * at query time, so a query is a few typed-array loops: the rarest word
 * first, then each further word probed by binary search in its postings
 * when that is cheaper than scanning them. Removal marks a document dead;
 * compaction drops dead postings once they are a quarter of the index.
 */
export class TextIndex {
  private dictionary = new TermDictionary()
  private termNames: string[] = []
  private postings = new Postings()
  private alive = new Uint8Array(1024)
  private docCount = 0
  private liveCount = 0
  private deadPostings = 0
  private docTerms = new Uint16Array(1024)
  private words = new Set<string>()
  // add()'s scratch.
  private readonly slotOfTerm = new Map<number, number>()
  private slotTerms = new Int32Array(256)
  private frequencies = new Float64Array(256 * FIELDS)
  private readonly lengths = new Float64Array(FIELDS)
  /** Tokens already looked at by noteWord (a cache). */
  private readonly noted = new Set<string>()
  // Per-query scratch, indexed by document, reset lazily through the stamps.
  private queryStamp = new Uint32Array(1024)
  private wordStamp = new Uint32Array(1024)
  private matched = new Uint8Array(1024)
  private scores = new Float64Array(1024)
  private best = new Float32Array(1024)
  private touched = new Uint32Array(1024)
  private stamp = 0

  /** `compactAbove`: postings below which compaction is not worth it (small in tests). */
  constructor(private readonly compactAbove = 1 << 18) {}

  /** Documents ever added (ids run from 0 to this). */
  get documents(): number {
    return this.docCount
  }

  get live(): number {
    return this.liveCount
  }

  isAlive(doc: number): boolean {
    return this.alive[doc] === 1
  }

  /** Adds a document; returns its id. */
  add(fields: DocFields): number {
    const doc = this.docCount++
    this.ensureDocs(this.docCount)
    // Per-document term frequencies in reused scratch (no allocation per card): slot → term id, FIELDS counts per slot.
    const slots = this.slotOfTerm
    slots.clear()
    const lengths = this.lengths.fill(0)
    const lead: number[] = []
    let n = 0
    for (let f = 0; f < FIELDS; f++) {
      for (const token of tokenize(fields[f]!)) {
        const term = processTerm(token)
        if (term === null) continue
        if (term !== token) this.noteWord(token, term)
        const id = this.termId(term)
        if (f === 0 && lead.length < LEAD_WORDS) lead.push(id)
        let slot = slots.get(id)
        if (slot === undefined) {
          slot = n++
          if (n * FIELDS > this.frequencies.length) {
            this.frequencies = grown(this.frequencies, this.frequencies.length * 2)
            this.slotTerms = grown(this.slotTerms, this.slotTerms.length * 2)
          }
          slots.set(id, slot)
          this.slotTerms[slot] = id
          this.frequencies.fill(0, slot * FIELDS, slot * FIELDS + FIELDS)
        }
        this.frequencies[slot * FIELDS + f]!++
        lengths[f]!++
      }
    }
    this.liveCount++
    const tf = this.frequencies
    for (let slot = 0; slot < n; slot++) {
      const term = this.slotTerms[slot]!
      let impact = lead.includes(term) ? LEAD_BOOST : 0
      for (let f = 0; f < FIELDS; f++) {
        const count = tf[slot * FIELDS + f]!
        if (count === 0) continue
        impact += (FIELD_BOOST[f]! * count * (K1 + 1)) / (count + K1 * (1 - B + (B * lengths[f]!) / FIELD_LENGTH[f]!))
      }
      this.postings.append(term, doc, impact)
    }
    this.alive[doc] = 1
    this.docTerms[doc] = Math.min(n, 0xffff)
    return doc
  }

  private noteWord(token: string, term: string): void {
    if (this.noted.has(token)) return
    if (this.noted.size >= 200_000) this.noted.clear() // bounded: unique model codes must not grow it forever
    this.noted.add(token)
    const typed = normalizeToken(token)
    if (typed !== term) this.words.add(typed)
  }

  /** Marks a document dead: it matches nothing from now on. */
  remove(doc: number): void {
    if (this.alive[doc] !== 1) return
    this.alive[doc] = 0
    this.liveCount--
    this.deadPostings += this.docTerms[doc]!
  }

  /** The current contents, cheaply (copies of the per-term and per-document arrays; the arena shared). */
  capture(): TextIndexState {
    const p = this.postings
    return {
      terms: this.termNames.slice(0, p.terms),
      offsets: p.offsets.slice(0, p.terms),
      lengths: p.lengths.slice(0, p.terms),
      docs: p.docs,
      impacts: p.impacts,
      alive: this.alive.slice(0, this.docCount),
      docTerms: this.docTerms.slice(0, this.docCount),
      documents: this.docCount,
      words: [...this.words],
    }
  }

  /** An index from a snapshot's state (packed postings). */
  static restore(state: TextIndexState): TextIndex {
    const index = new TextIndex()
    const terms = state.terms.length
    const postings = new Postings(1, Math.max(1, terms))
    postings.terms = terms
    postings.docs = state.docs
    postings.impacts = state.impacts
    postings.offsets.set(state.offsets)
    postings.lengths.set(state.lengths)
    postings.capacities.set(state.lengths)
    postings.used = state.docs.length
    index.postings = postings
    index.termNames = state.terms.slice()
    index.dictionary = TermDictionary.from(state.terms.flatMap((term, t) => (state.lengths[t]! > 0 ? [[term, t] as [string, number]] : [])))
    index.docCount = state.documents
    index.ensureDocs(Math.max(1024, state.documents))
    index.alive.set(state.alive)
    index.docTerms.set(state.docTerms)
    index.words = new Set(state.words)
    for (let d = 0; d < state.documents; d++) {
      if (state.alive[d] === 1) index.liveCount++
      else index.deadPostings += state.docTerms[d]!
    }
    return index
  }

  /**
   * Time for compact(): dead documents hold a quarter of the postings, or
   * the arena holds more garbage than postings (lists outgrowing their
   * regions while a large catalogue is read in).
   */
  get wantsCompaction(): boolean {
    const {size, garbage} = this.postings
    return size > this.compactAbove && (this.deadPostings * 4 > size || garbage > size)
  }

  /**
   * Drops dead documents and the arena's garbage, renumbering documents
   * densely; returns the old → new id map (-1 for dead) for the caller's
   * own per-document data.
   */
  compact(): Int32Array {
    const renumber = new Int32Array(this.docCount).fill(-1)
    let next = 0
    for (let d = 0; d < this.docCount; d++) if (this.alive[d] === 1) renumber[d] = next++
    this.postings = this.postings.compacted((d) => renumber[d]!)
    const docTerms = new Uint16Array(Math.max(1024, next))
    for (let d = 0; d < this.docCount; d++) if (renumber[d]! >= 0) docTerms[renumber[d]!] = this.docTerms[d]!
    this.docTerms = docTerms
    this.alive = new Uint8Array(Math.max(1024, next)).fill(1, 0, next)
    this.docCount = next
    this.deadPostings = 0
    this.noted.clear()
    this.resetScratch(this.alive.length)
    return renumber
  }

  private termId(term: string): number {
    let id = this.dictionary.get(term)
    if (id === undefined) {
      id = this.postings.addTerm()
      this.dictionary.set(term, id)
      this.termNames[id] = term
    }
    return id
  }

  private ensureDocs(count: number): void {
    if (count <= this.alive.length) return
    const size = Math.max(count, this.alive.length * 2)
    this.alive = grown(this.alive, size)
    this.docTerms = grown(this.docTerms, size)
    this.resetScratch(size)
  }

  private resetScratch(size: number): void {
    this.queryStamp = new Uint32Array(size)
    this.wordStamp = new Uint32Array(size)
    this.matched = new Uint8Array(size)
    this.scores = new Float64Array(size)
    this.best = new Float32Array(size)
    this.touched = new Uint32Array(size)
    this.stamp = 0
  }

  private idf(term: number): number {
    const df = this.postings.lengths[term]!
    return Math.log(1 + (this.liveCount - df + 0.5) / (df + 0.5))
  }

  /** What one query word may match, given how loosely it is read. */
  private word({term, typed}: QueryTerm, prefix: boolean, fuzzy: boolean): QueryWord {
    const found = new Map<number, number>()
    const add = (id: number, weight: number) => found.set(id, Math.max(found.get(id) ?? 0, weight))
    const extension = (from: string, key: string, weight: number) => (weight * from.length) / (from.length + 0.3 * (key.length - from.length))
    const exact = this.dictionary.get(term)
    // "кофем" stems to "коф", as "кофе" does; typed, it is the start of "кофемашина".
    const partial = prefix && typed !== term && !this.words.has(typed) && !this.dictionary.has(typed)
    if (partial) for (const [key, id] of this.dictionary.withPrefix(typed)) add(id, extension(typed, key, TYPING_WEIGHT))
    if (exact !== undefined) add(exact, found.size > 0 ? PREFIX_WEIGHT : 1)
    if (prefix) for (const [key, id] of this.dictionary.withPrefix(term)) add(id, extension(term, key, PREFIX_WEIGHT))
    const typos = fuzzy ? fuzziness(term) : 0
    if (typos > 0)
      for (const [, id, distance] of this.dictionary.withinDistance(term, typos))
        if (distance > 0) add(id, (FUZZY_WEIGHT * term.length) / (term.length + distance))
    const lengths = this.postings.lengths
    const variants = [...found]
      .map(([t, weight]) => ({term: t, weight}))
      .filter((v) => lengths[v.term]! > 0)
      .sort((a, b) => b.weight - a.weight || lengths[b.term]! - lengths[a.term]!)
      .slice(0, MAX_VARIANTS)
    return {variants, cost: variants.reduce((sum, v) => sum + lengths[v.term]!, 0)}
  }

  /** The query's words (stop words dropped, repeats once). */
  static terms(text: string): QueryTerm[] {
    const seen = new Map<string, QueryTerm>()
    for (const token of tokenize(text)) {
      const term = processTerm(token)
      if (term !== null) seen.set(term, {term, typed: normalizeToken(token)})
    }
    return [...seen.values()]
  }

  /**
   * Calls `visit` for every live document matching the query with its score:
   * all words ('and') or any ('or'); the last word also as a prefix (from 3
   * letters), every word with typos when `fuzzy`.
   */
  match(terms: QueryTerm[], combine: Combine, fuzzy: boolean, visit: (doc: number, score: number) => void): void {
    if (terms.length === 0) return
    const words = terms.map((t, i) => this.word(t, i === terms.length - 1 && t.typed.length >= 3, fuzzy))
    if (combine === 'and' && words.some((w) => w.variants.length === 0)) return
    words.sort((a, b) => a.cost - b.cost)
    if (this.stamp > 0xffff0000) this.resetScratch(this.alive.length)
    const query = ++this.stamp
    const postings = this.postings
    const scratch = {
      query,
      touched: 0,
      queryStamp: this.queryStamp,
      wordStamp: this.wordStamp,
      matched: this.matched,
      scores: this.scores,
      best: this.best,
      list: this.touched,
    }
    for (let w = 0; w < words.length; w++) {
      const wordMark = ++this.stamp
      const narrowing = combine === 'and' && w > 0
      const {variants, cost} = words[w]!
      // Probing each candidate costs a binary search per variant; scanning costs the postings.
      const probing = narrowing && scratch.touched * variants.length * Math.log2(cost + 2) * 3 < cost
      for (const {term, weight} of variants) {
        const factor = weight * this.idf(term)
        if (probing) probe(postings, term, factor, w, wordMark, scratch)
        else scan(postings, term, factor, combine === 'and' ? w : -1, narrowing, wordMark, this.alive, scratch)
      }
    }
    const need = combine === 'and' ? words.length : 1
    const {list, matched, scores} = scratch
    for (let c = 0; c < scratch.touched; c++) {
      const doc = list[c]!
      if (matched[doc]! >= need) visit(doc, scores[doc]!)
    }
  }
}

/** Per-query arrays by document; a document's entries count only when its queryStamp is the query's. */
interface Scratch {
  query: number
  touched: number
  queryStamp: Uint32Array
  wordStamp: Uint32Array
  matched: Uint8Array
  scores: Float64Array
  best: Float32Array
  list: Uint32Array
}

/**
 * One variant of query word `word`, over its whole postings list. `word` is
 * -1 for 'or' (every document counts); with 'and', a document counts only
 * if it matched every earlier word, and `narrowing` (any word but the
 * first) admits no new documents.
 */
function scan(postings: Postings, term: number, factor: number, word: number, narrowing: boolean, wordMark: number, alive: Uint8Array, s: Scratch): void {
  const {docs, impacts} = postings
  const {queryStamp, wordStamp, matched, scores, best, list, query} = s
  const end = postings.offsets[term]! + postings.lengths[term]!
  for (let i = postings.offsets[term]!; i < end; i++) {
    const doc = docs[i]!
    if (queryStamp[doc] !== query) {
      if (narrowing || alive[doc] !== 1) continue
      queryStamp[doc] = query
      matched[doc] = 0
      scores[doc] = 0
      list[s.touched++] = doc
    }
    const contribution = factor * impacts[i]!
    if (wordStamp[doc] === wordMark) {
      // Another variant of the same word: the best one counts, once.
      if (contribution > best[doc]!) {
        scores[doc]! += contribution - best[doc]!
        best[doc] = contribution
      }
      continue
    }
    if (word >= 0 && matched[doc] !== word) continue
    wordStamp[doc] = wordMark
    best[doc] = contribution
    scores[doc]! += contribution
    matched[doc]!++
  }
}

/** One variant of an 'and' word, looked up by binary search for each document still in the running. */
function probe(postings: Postings, term: number, factor: number, word: number, wordMark: number, s: Scratch): void {
  const {wordStamp, matched, scores, best, list} = s
  for (let c = 0; c < s.touched; c++) {
    const doc = list[c]!
    const again = wordStamp[doc] === wordMark
    if (matched[doc] !== word && !again) continue
    const at = postings.find(term, doc)
    if (at < 0) continue
    const contribution = factor * postings.impacts[at]!
    if (again) {
      if (contribution > best[doc]!) {
        scores[doc]! += contribution - best[doc]!
        best[doc] = contribution
      }
      continue
    }
    wordStamp[doc] = wordMark
    best[doc] = contribution
    scores[doc]! += contribution
    matched[doc]!++
  }
}
