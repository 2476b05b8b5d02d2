/**
 * The index's vocabulary: term → id, plus the two lookups a query needs
 * beyond the exact one — terms starting with a prefix (the word being
 * typed) and terms within an edit distance (typos). The terms are kept
 * sorted, in a large array and a small one that new terms go into and
 * that is merged into the large one now and then, so the vocabulary costs
 * an array slot per term rather than a tree of nodes; the sorted arrays
 * are an implicit trie that the typo search walks with binary searches.
 */
export class TermDictionary {
  private base: string[] = []
  private recent: string[] = []
  private readonly ids = new Map<string, number>()

  get size(): number {
    return this.ids.size
  }

  get(term: string): number | undefined {
    return this.ids.get(term)
  }

  has(term: string): boolean {
    return this.ids.has(term)
  }

  set(term: string, id: number): void {
    if (!this.ids.has(term)) {
      this.recent.splice(lowerBound(this.recent, term), 0, term)
      if (this.recent.length > MERGE_AT) this.merge()
    }
    this.ids.set(term, id)
  }

  /** A dictionary of many terms at once (a snapshot's): one sort instead of an insertion each. */
  static from(entries: Iterable<[string, number]>): TermDictionary {
    const dictionary = new TermDictionary()
    for (const [term, id] of entries) dictionary.ids.set(term, id)
    dictionary.base = [...dictionary.ids.keys()].sort()
    return dictionary
  }

  /** Every term starting with `prefix`, with its id. */
  *withPrefix(prefix: string): Iterable<[string, number]> {
    for (const terms of [this.base, this.recent])
      for (let i = lowerBound(terms, prefix); i < terms.length && terms[i]!.startsWith(prefix); i++) yield [terms[i]!, this.ids.get(terms[i]!)!]
  }

  /** Every term within `maxDistance` edits (Levenshtein) of `term`: [term, id, distance]. */
  withinDistance(term: string, maxDistance: number): Array<[string, number, number]> {
    const found: Array<[string, number, number]> = []
    for (const terms of [this.base, this.recent]) walk(terms, term, maxDistance, (key, distance) => found.push([key, this.ids.get(key)!, distance]))
    return found
  }

  private merge(): void {
    const merged: string[] = new Array<string>(this.base.length + this.recent.length)
    let [i, j, k] = [0, 0, 0]
    while (i < this.base.length && j < this.recent.length) merged[k++] = this.base[i]! < this.recent[j]! ? this.base[i++]! : this.recent[j++]!
    while (i < this.base.length) merged[k++] = this.base[i++]!
    while (j < this.recent.length) merged[k++] = this.recent[j++]!
    this.base = merged
    this.recent = []
  }
}

/** New terms wait in the small array until there are this many (then one merge, linear in the vocabulary). */
const MERGE_AT = 4096

/** The first position whose term is not below `key`. */
function lowerBound(terms: string[], key: string): number {
  let lo = 0
  let hi = terms.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (terms[mid]! < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Depth-first through the trie the sorted terms form: the terms of a range
 * share a prefix of length `depth`, a shorter term comes first, and the
 * rest run in order of their next letter, so each child is a sub-range
 * found by binary search. A Levenshtein row per level; a branch ends when
 * no cell of its row is within reach.
 */
function walk(terms: string[], query: string, max: number, found: (term: string, distance: number) => void): void {
  const n = query.length
  const descend = (lo: number, hi: number, depth: number, row: Int32Array) => {
    let i = lo
    while (i < hi) {
      const term = terms[i]!
      if (term.length === depth) {
        if (row[n]! <= max) found(term, row[n]!)
        i++
        continue
      }
      const c = term.charCodeAt(depth)
      let end = i + 1
      let top = hi
      while (end < top) {
        const mid = (end + top) >>> 1
        if (terms[mid]!.charCodeAt(depth) === c) end = mid + 1
        else top = mid
      }
      const next = new Int32Array(n + 1)
      next[0] = row[0]! + 1
      let best = next[0]!
      for (let j = 1; j <= n; j++) {
        next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (query.charCodeAt(j - 1) === c ? 0 : 1))
        if (next[j]! < best) best = next[j]!
      }
      if (best <= max) descend(i, end, depth + 1, next)
      i = end
    }
  }
  descend(
    0,
    terms.length,
    0,
    Int32Array.from({length: n + 1}, (_, j) => j),
  )
}
