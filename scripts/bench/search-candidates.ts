/**
 * bench:search's other candidates for the search core, each tuned as its
 * own users tune it for a Russian catalogue, over the same cards and
 * queries as mkt's index: FlexSearch (Document index, our analyzer as its
 * encoder, forward tokenizing for the word being typed), SQLite FTS5
 * through better-sqlite3 (a durable index on disk: analysed text in, bm25
 * with field weights, a prefix index, batched transactions) and Orama (its
 * own Russian tokenizer and stemmer, BM25, typo tolerance, field boosts).
 * They share one product side (mkt's product table, documents shared by
 * cards of one text, filters, sorting, SKU lookup) so that what differs is
 * the text engine; each pass asks the engine for its best CANDIDATES
 * documents, which are then filtered and ranked.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {create, insert, remove as oramaRemove, search as oramaSearch, type Orama} from '@orama/orama'
import {stemmer as russianStemmer} from '@orama/stemmers/russian'
import Database from 'better-sqlite3'
import FlexSearch from 'flexsearch'

import type {ProductCard} from '../../src/catalog/card.js'
import {ProductTable} from '../../src/catalog/product-table.js'
import {analyze, normalizeLabel, type MatchMode, type SearchHit, type SearchOutcome, type SearchQuery} from '../../src/search/index.js'
import {Ranking} from '../../src/search/ranking.js'

type Fields = {name: string; brand: string; tags: string; category: string; description: string}
const FIELDS = ['name', 'brand', 'tags', 'category', 'description'] as const
const BOOST = {name: 4, brand: 3, tags: 2, category: 1.5, description: 0.5}
/** Documents asked of the engine per pass, before filters. */
const CANDIDATES = 1000

export interface TextEngine {
  readonly name: string
  add(doc: number, fields: Fields): void
  remove(doc: number): void
  /** The engine's best documents for the query, best first. */
  match(text: string, combine: 'and' | 'or', fuzzy: boolean, limit: number): Array<[doc: number, score: number]>
  close(): void
}

const PASSES: Array<[MatchMode, 'and' | 'or', boolean]> = [
  ['all-words', 'and', false],
  ['all-words-fuzzy', 'and', true],
  ['any-word', 'or', true],
]

export class CandidateCatalog {
  private readonly products = new ProductTable()
  private readonly docByHash = new Map<string, number>()
  private readonly members = new Map<number, number[]>()
  private readonly docOfSlot: number[] = []
  private nextDoc = 1

  constructor(readonly engine: TextEngine) {}

  upsert(card: ProductCard): void {
    const hash = createHash('sha1')
      .update(`${card.name}\u0001${card.brand}\u0001${card.category}\u0001${card.tags.join('\u0002')}\u0001${card.description}`)
      .digest('base64')
    const slot = this.products.upsert(card)
    let doc = this.docByHash.get(hash)
    const previous = this.docOfSlot[slot]
    if (previous !== undefined && previous === doc) return
    if (previous !== undefined) {
      const left = this.members.get(previous)!.filter((s) => s !== slot)
      if (left.length > 0) this.members.set(previous, left)
      else {
        this.members.delete(previous)
        this.engine.remove(previous)
      }
    }
    if (doc === undefined) {
      doc = this.nextDoc++
      this.docByHash.set(hash, doc)
      this.engine.add(doc, {name: card.name, brand: card.brand, tags: card.tags.join(' '), category: card.category, description: card.description})
    }
    this.members.set(doc, [...(this.members.get(doc) ?? []), slot])
    this.docOfSlot[slot] = doc
  }

  search(query: SearchQuery): SearchOutcome {
    const p = this.products
    const category = query.category === undefined ? undefined : normalizeLabel(query.category)
    const brand = query.brand === undefined ? undefined : normalizeLabel(query.brand)
    const {minPrice = -Infinity, maxPrice = Infinity, inStock = false} = query
    const accept = (slot: number) =>
      p.hidden[slot] === 0 &&
      (category === undefined || normalizeLabel(p.labels[p.category[slot]!]!) === category) &&
      (brand === undefined || normalizeLabel(p.labels[p.brand[slot]!]!) === brand) &&
      p.price[slot]! >= minPrice &&
      p.price[slot]! <= maxPrice &&
      (!inStock || p.available[slot]! > 0)
    const page = (ranking: Ranking, mode: MatchMode): SearchOutcome => ({
      hits: ranking.best().map(([slot, score]): SearchHit => ({...p.product(slot), score})),
      total: ranking.total,
      mode,
    })
    const exact = p.skuSlots(query.text)
    const skuSlots = exact.length > 0 ? exact : p.skuSlots(query.text.toUpperCase())
    if (skuSlots.length > 0) {
      const ranking = new Ranking(p, query)
      for (const slot of skuSlots) if (accept(slot)) ranking.offer(slot, 1)
      return page(ranking, 'sku')
    }
    if (analyze(query.text).length === 0) return {hits: [], total: 0, mode: 'none'}
    for (const [mode, combine, fuzzy] of PASSES) {
      const ranking = new Ranking(p, query)
      for (const [doc, score] of this.engine.match(query.text, combine, fuzzy, CANDIDATES))
        for (const slot of this.members.get(doc) ?? []) if (accept(slot)) ranking.offer(slot, score)
      if (ranking.total > 0) return page(ranking, mode)
    }
    return {hits: [], total: 0, mode: 'none'}
  }
}

/** The query's analysed words, the last one marked when it may be a word being typed (3 letters or more). */
function queryTerms(text: string): {terms: string[]; typing: boolean} {
  const terms = analyze(text)
  return {terms, typing: (terms.at(-1)?.length ?? 0) >= 3}
}

/** FlexSearch's Document index: each field its own index, results merged with the field boosts by rank. */
export function flexsearchEngine(): TextEngine {
  const encode = (text: string) => analyze(text)
  const index = new FlexSearch.Document<Fields & {id: number}>({
    document: {
      id: 'id',
      index: FIELDS.map((field) => ({
        field,
        encode,
        tokenize: (field === 'name' || field === 'brand' ? 'forward' : 'strict') as 'forward' | 'strict',
        resolution: 9,
      })),
    },
  })
  return {
    name: 'flexsearch',
    add: (doc, fields) => void index.add({id: doc, ...fields}),
    remove: (doc) => void index.remove(doc),
    match: (text, combine, _fuzzy, limit) => {
      // FlexSearch has no edit-distance matching; `suggest` relaxes "all words" to "as many as possible".
      const results = index.search({query: text, limit, suggest: combine === 'or'}) as unknown as Array<{field: keyof Fields; result: number[]}>
      const scores = new Map<number, number>()
      for (const {field, result} of results)
        result.forEach((doc, rank) => scores.set(doc, (scores.get(doc) ?? 0) + BOOST[field] * (1 - rank / (result.length + 1))))
      return [...scores].sort((a, b) => b[1] - a[1]).slice(0, limit)
    },
    close: () => {},
  }
}

/** SQLite FTS5 in a database file (durable): the analysed text in, bm25 with the field weights out. */
export function fts5Engine(): TextEngine {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-bench-fts5-'))
  const db = new Database(path.join(dir, 'catalog.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`CREATE VIRTUAL TABLE docs USING fts5(${FIELDS.join(', ')}, tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4')`)
  const add = db.prepare(`INSERT INTO docs(rowid, ${FIELDS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?)`)
  const del = db.prepare('DELETE FROM docs WHERE rowid = ?')
  const query = db.prepare(
    `SELECT rowid AS doc, -bm25(docs, ${FIELDS.map((f) => BOOST[f]).join(', ')}) AS score FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, ${FIELDS.map((f) => BOOST[f]).join(', ')}) LIMIT ?`,
  )
  // Writes go in transactions of a few thousand, as bulk loaders do; a search commits what is pending.
  let pending = 0
  const write = (run: () => void) => {
    if (pending === 0) db.exec('BEGIN')
    run()
    if (++pending === 5000) commit()
  }
  const commit = () => {
    if (pending === 0) return
    db.exec('COMMIT')
    pending = 0
  }
  const quote = (term: string) => `"${term.replaceAll('"', '""')}"`
  return {
    name: 'sqlite fts5',
    add: (doc, f) => write(() => add.run(doc, ...FIELDS.map((field) => analyze(f[field]).join(' ')))),
    remove: (doc) => write(() => del.run(doc)),
    match: (text, combine, _fuzzy, limit) => {
      commit()
      // FTS5 has no typo tolerance (spellfix1 is not part of better-sqlite3's SQLite): the fuzzy pass asks the same.
      const {terms, typing} = queryTerms(text)
      const expression = terms.map((t, i) => (i === terms.length - 1 && typing ? `${quote(t)}*` : quote(t))).join(combine === 'and' ? ' ' : ' OR ')
      return (query.all(expression, limit) as Array<{doc: number; score: number}>).map((r) => [r.doc, r.score])
    },
    close: () => {
      db.close()
      fs.rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** Orama with its Russian tokenizer and stemmer: BM25 over the fields, typo tolerance 1 in the fuzzy passes. */
export function oramaEngine(): TextEngine {
  const schema = {id: 'string', name: 'string', brand: 'string', tags: 'string', category: 'string', description: 'string'} as const
  const db: Orama<typeof schema> = create({schema, components: {tokenizer: {language: 'russian', stemming: true, stemmer: russianStemmer}}}) as Orama<
    typeof schema
  >
  return {
    name: 'orama',
    add: (doc, fields) => void insert(db, {id: String(doc), ...fields}),
    remove: (doc) => void oramaRemove(db, String(doc)),
    match: (text, combine, fuzzy, limit) => {
      // threshold 0: only documents with every word; 1: any word.
      const result = oramaSearch(db, {term: text, properties: [...FIELDS], boost: BOOST, tolerance: fuzzy ? 1 : 0, threshold: combine === 'and' ? 0 : 1, limit})
      if (result instanceof Promise) throw new Error('Orama answered asynchronously; this benchmark times synchronous searches')
      return result.hits.map((hit) => [Number(hit.id), hit.score])
    },
    close: () => {},
  }
}

export const CANDIDATE_ENGINES = {flexsearch: flexsearchEngine, fts5: fts5Engine, orama: oramaEngine} as const
export type CandidateName = keyof typeof CANDIDATE_ENGINES
