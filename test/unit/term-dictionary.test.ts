import SearchableMap from 'minisearch/SearchableMap'
import {describe, expect, it} from 'vitest'

import {analyze} from '../../src/search/analyzer.js'
import {TermDictionary} from '../../src/search/term-dictionary.js'
import {generateRealisticCards} from '../../src/shop/realistic.js'

/** The vocabulary of 4,000 realistic cards, with the edge cases of a trie: a term that is a prefix of others, one letter, the empty prefix. */
const vocabulary = [...new Set([...generateRealisticCards({count: 4000, seed: 5})].flatMap((c) => analyze(`${c.name} ${c.description}`)))]
vocabulary.push('a', 'ab', 'abc', 'abd', 'b')

const sorted = <T extends [string, ...unknown[]]>(entries: T[]) => entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))

describe('the term dictionary', () => {
  // minisearch's radix tree, which it replaced, is the oracle: the same terms within the same distances, the same prefixes.
  const oracle = new SearchableMap<number>()
  const dictionary = new TermDictionary()
  vocabulary.forEach((term, id) => {
    oracle.set(term, id)
    dictionary.set(term, id) // one at a time: the small array is merged into the large one every 4,096 terms
  })
  const restored = TermDictionary.from(vocabulary.map((term, id) => [term, id] as [string, number]))

  it('finds every term within one and two edits, as a radix tree does', () => {
    expect(vocabulary.length).toBeGreaterThan(4096)
    for (const [i, query] of [
      'смартфн',
      'наушнки',
      'кросовк',
      'телевизр',
      'ноутбк',
      'a155',
      'ab',
      'zzzzzzzz',
      ...vocabulary.filter((_, i) => i % 97 === 0),
    ].entries()) {
      const distance = 1 + (i % 2)
      const expected = sorted([...oracle.fuzzyGet(query, distance)].map(([term, [id, d]]) => [term, id, d] as [string, number, number]))
      expect(sorted(dictionary.withinDistance(query, distance)), `${query} within ${distance}`).toEqual(expected)
      expect(sorted(restored.withinDistance(query, distance))).toEqual(expected)
    }
  })

  it('lists the terms with a prefix, and answers exact lookups', () => {
    for (const prefix of ['смарт', 'науш', 'a', 'ab', 'abc', 'ко', 'ё', '']) {
      const expected = sorted([...oracle.atPrefix(prefix)])
      expect(sorted([...dictionary.withPrefix(prefix)]), prefix).toEqual(expected)
      expect(sorted([...restored.withPrefix(prefix)])).toEqual(expected)
    }
    expect(dictionary.get('abc')).toBe(vocabulary.indexOf('abc'))
    expect(dictionary.has('abe')).toBe(false)
    expect(dictionary.size).toBe(vocabulary.length)
  })
})
