import {describe, expect, it} from 'vitest'

import {judgedQueries, precisionByClass, relevantIds, searchOf} from '../../scripts/bench/search-judged.js'
import {MiniSearchCatalog} from '../../scripts/bench/search-reference.js'
import {CatalogIndex} from '../../src/search/index.js'
import {generateRealisticCards} from '../../src/shop/realistic.js'

/**
 * The judged query set on 10,000 realistic cards (bench:search runs it on
 * 100,000 and 1,000,000): precision@10 per class of the search index, side
 * by side with the minisearch index it replaced, which no class may fall below.
 */
describe('judged search quality on the realistic catalogue', () => {
  const cards = [...generateRealisticCards({count: 10_000, seed: 11})]
  const queries = judgedQueries()
  const wanted = relevantIds(queries, cards)

  it('has queries of every class the issue names, each answered by some card', () => {
    const classes = new Set(queries.map((q) => q.class))
    for (const name of ['colour + noun', 'feature + noun', 'genitive plural', 'brand + model code', 'typo in the noun', 'price-bounded'])
      expect(classes).toContain(name)
    queries.forEach((q, i) => expect(wanted[i]!.size, q.query).toBeGreaterThan(0))
  })

  it('finds the right products in every class, at least as well as the minisearch index', {timeout: 60_000}, () => {
    const index = new CatalogIndex()
    const reference = new MiniSearchCatalog()
    for (const card of cards) {
      index.upsert(card)
      reference.upsert(card)
    }
    const ours = precisionByClass(
      queries,
      wanted,
      queries.map((q) => index.search(searchOf(q)).hits.map((h) => h.product_id)),
    )
    const theirs = precisionByClass(
      queries,
      wanted,
      queries.map((q) => reference.search(searchOf(q)).hits.map((h) => h.product_id)),
    )
    const table = ours.map((c, i) => `${c.class}: ${c.precision.toFixed(2)} (minisearch ${theirs[i]!.precision.toFixed(2)})`)
    process.stderr.write(`precision@10 on 10,000 cards:\n  ${table.join('\n  ')}\n`)
    for (const [i, c] of ours.entries()) {
      expect(c.precision, `${c.class} against minisearch`).toBeGreaterThanOrEqual(theirs[i]!.precision - 1e-9)
      expect(c.precision, c.class).toBeGreaterThanOrEqual(0.8)
    }
  })
})
