/**
 * The judged query set (test/fixtures/search-judged.yaml) and its measure:
 * precision@10 per class, for any engine that answers a SearchQuery with
 * product ids. Shared by bench:search and test/unit/search-judged.test.ts.
 */
import fs from 'node:fs'
import path from 'node:path'

import {parse} from 'yaml'

import type {ProductCard} from '../../src/catalog/card.js'
import {packageRoot} from '../../src/package-root.js'
import {parseSearchQuery, type SearchQuery} from '../../src/search/query.js'

export interface JudgedQuery {
  class: string
  query: string
  noun: string
  colour?: string
  feature?: string
  code?: string
  max_price?: number
}

export function judgedQueries(): JudgedQuery[] {
  return parse(fs.readFileSync(path.join(packageRoot(), 'test', 'fixtures', 'search-judged.yaml'), 'utf8')) as JudgedQuery[]
}

export function searchOf(judged: JudgedQuery): SearchQuery {
  return parseSearchQuery({text: judged.query, limit: 10, ...(judged.max_price !== undefined ? {maxPrice: judged.max_price} : {})})
}

/** Whether the card answers the judged query (the rules of the fixture's header). */
export function relevant(judged: JudgedQuery, card: ProductCard): boolean {
  return (
    (card.name.startsWith(`${judged.noun} `) || card.name.startsWith(`${judged.noun},`)) &&
    (judged.colour === undefined || card.description.includes(`цвет ${judged.colour}`)) &&
    (judged.feature === undefined || card.description.includes(judged.feature)) &&
    (judged.code === undefined || card.name.includes(judged.code)) &&
    (judged.max_price === undefined || card.price.amount <= judged.max_price)
  )
}

/** What the judge needs to know of the catalogue: each judged query's relevant ids (all of them: the count matters). */
export function relevantIds(queries: JudgedQuery[], cards: Iterable<ProductCard>): Array<Set<string>> {
  const sets = queries.map(() => new Set<string>())
  for (const card of cards) queries.forEach((q, i) => relevant(q, card) && sets[i]!.add(card.product_id))
  return sets
}

export interface ClassPrecision {
  class: string
  queries: number
  /** Mean over the class's queries of relevant hits among the first 10 / min(10, relevant cards). */
  precision: number
}

/** precision@10 per class, in the fixture's order, from each query's first hits. */
export function precisionByClass(queries: JudgedQuery[], relevantSets: Array<Set<string>>, hits: string[][]): ClassPrecision[] {
  const byClass = new Map<string, number[]>()
  queries.forEach((q, i) => {
    const wanted = relevantSets[i]!
    const found = hits[i]!.slice(0, 10).filter((id) => wanted.has(id)).length
    if (wanted.size === 0) throw new Error(`no card of this catalogue answers the judged query "${q.query}" (${q.class}): judge it on a larger one`)
    const scores = byClass.get(q.class) ?? []
    scores.push(found / Math.min(10, wanted.size))
    byClass.set(q.class, scores)
  })
  return [...byClass].map(([name, scores]) => ({class: name, queries: scores.length, precision: scores.reduce((a, b) => a + b, 0) / scores.length}))
}
