import {describe, expect, it} from 'vitest'

import {Postings} from '../../src/search/postings.js'
import {TextIndex, type DocFields, type QueryTerm} from '../../src/search/text-index.js'

/** A deterministic pseudo-random stream (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

// Latin words of 4 letters: no stemming, no typo allowance, so the expected matches are plain set logic.
const WORDS = Array.from({length: 150}, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`)

function documents(count: number, next: () => number): string[][] {
  return Array.from({length: count}, () => {
    // A skewed vocabulary: some words in most documents, most in few, as in a catalogue.
    const words = new Set<string>()
    const n = 2 + Math.floor(next() * 8)
    while (words.size < n) words.add(WORDS[Math.floor(next() ** 4 * WORDS.length)]!)
    return [...words]
  })
}

const fields = (words: string[]): DocFields => [words.join(' '), '', '', '', '']

function expected(texts: Map<number, string[]>, query: string[], combine: 'and' | 'or'): number[] {
  return [...texts]
    .filter(([, words]) => (combine === 'and' ? query.every((w) => words.includes(w)) : query.some((w) => words.includes(w))))
    .map(([doc]) => doc)
    .sort((a, b) => a - b)
}

function matched(index: TextIndex, query: string[], combine: 'and' | 'or'): number[] {
  const docs: number[] = []
  index.match(TextIndex.terms(query.join(' ')), combine, false, (doc) => docs.push(doc))
  return docs.sort((a, b) => a - b)
}

describe('the compact text index', () => {
  it('matches exactly the documents with all (or any) of the words, through removals and compaction', () => {
    const next = random(7)
    // Compaction (which renumbers documents) from 1,000 postings on rather than 2^18.
    const index = new TextIndex(1000)
    const texts = new Map<number, string[]>()
    for (const words of documents(5000, next)) texts.set(index.add(fields(words)), words)
    for (const doc of [...texts.keys()])
      if (next() < 0.4) {
        index.remove(doc)
        texts.delete(doc)
      }
    const query = () => {
      const size = 1 + Math.floor(next() * 3)
      // A common word with a rare one: the common one is then probed by binary search, not scanned.
      return [...new Set(Array.from({length: size}, (_, i) => WORDS[Math.floor(next() ** (i === 0 ? 4 : 0.3) * WORDS.length)]!))]
    }
    for (let q = 0; q < 200; q++) {
      const words = query()
      for (const combine of ['and', 'or'] as const)
        expect(matched(index, words, combine), `${combine} ${words.join(' ')}`).toEqual(expected(texts, words, combine))
    }
    expect(index.wantsCompaction).toBe(true)
    const renumber = index.compact()
    const renumbered = new Map([...texts].map(([doc, words]) => [renumber[doc]!, words]))
    expect(index.live).toBe(renumbered.size)
    for (const words of documents(500, next)) renumbered.set(index.add(fields(words)), words)

    for (let q = 0; q < 200; q++) {
      const words = query()
      for (const combine of ['and', 'or'] as const)
        expect(matched(index, words, combine), `${combine} ${words.join(' ')}`).toEqual(expected(renumbered, words, combine))
    }
  })

  it('scores a rarer word higher, the name above the description, and counts a word once however many variants match', () => {
    const index = new TextIndex()
    const inName = index.add(['kettle steel', '', '', '', 'for tea'])
    const inDescription = index.add(['teapot', '', '', '', 'a kettle of steel'])
    for (let i = 0; i < 20; i++) index.add(['steel pan', '', '', '', ''])
    const scores = new Map<number, number>()
    index.match(TextIndex.terms('kettle'), 'and', false, (doc, score) => scores.set(doc, score))
    expect(scores.get(inName)!).toBeGreaterThan(scores.get(inDescription)!)
    const kettle = scores.get(inName)!
    scores.clear()
    index.match(TextIndex.terms('steel'), 'and', false, (doc, score) => scores.set(doc, score))
    expect(scores.get(inName)!).toBeLessThan(kettle)
    // Typos allowed, "kettle" also reaches "kettl" itself: still one word's worth.
    scores.clear()
    index.match(TextIndex.terms('kettle'), 'and', true, (doc, score) => scores.set(doc, score))
    expect(scores.get(inName)).toBeCloseTo(kettle, 6)
  })

  it('finds a word being typed by its prefix, and a word with a typo', () => {
    const index = new TextIndex()
    const doc = index.add(['Беспроводные наушники', '', '', '', ''])
    // The matching documents, best first.
    const found = (terms: QueryTerm[], fuzzy: boolean) => {
      const docs: Array<[number, number]> = []
      index.match(terms, 'and', fuzzy, (d, score) => docs.push([d, score]))
      return docs.sort((a, b) => b[1] - a[1]).map(([d]) => d)
    }
    expect(found(TextIndex.terms('беспроводные науш'), false)).toEqual([doc])
    expect(found(TextIndex.terms('наушнки'), false)).toEqual([])
    expect(found(TextIndex.terms('наушнки'), true)).toEqual([doc])
    expect(TextIndex.terms('для и the')).toEqual([])
    // A last word that is no word of the catalogue is the start of one: "кофем" is a coffee machine, though it stems as "кофе" does.
    const coffee = index.add(['Кофе в зёрнах', '', '', '', ''])
    const machine = index.add(['Кофемашина', '', '', '', ''])
    expect(found(TextIndex.terms('кофем'), false)[0]).toBe(machine)
    expect(found(TextIndex.terms('кофе'), false)[0]).toBe(coffee)
  })
})

describe('the postings arena', () => {
  it('never changes what a captured list holds while lists grow, move and the arena reallocates', () => {
    const postings = new Postings(4, 2)
    const a = postings.addTerm()
    const b = postings.addTerm()
    for (let d = 0; d < 3; d++) postings.append(a, d, d / 10)
    const [docs, offset, length] = [postings.docs, postings.offsets[a]!, postings.lengths[a]!]
    const before = [...docs.subarray(offset, offset + length)]
    for (let d = 0; d < 1000; d++) {
      postings.append(b, d, 1)
      postings.append(a, 10 + d, 1)
    }
    expect([...docs.subarray(offset, offset + length)]).toEqual(before)
    expect(postings.lengths[a]).toBe(1003)
    expect(postings.find(a, 500)).toBeGreaterThanOrEqual(0)
    expect(postings.find(a, 5)).toBe(-1)
    const packed = postings.compacted((doc) => (doc % 2 === 0 ? doc / 2 : -1))
    expect(packed.garbage).toBe(0)
    expect(packed.lengths[b]).toBe(500)
    expect([...packed.docs.subarray(packed.offsets[b]!, packed.offsets[b]! + 3)]).toEqual([0, 1, 2])
  })
})
