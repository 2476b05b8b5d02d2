import {createHash} from 'node:crypto'

/**
 * bench:search's reference: the search index mkt shipped before the compact
 * text index (src/search/text-index.ts) — minisearch over the same analyzer,
 * tuned as its users tune it (field boosts, prefix on the last word, fuzzy by
 * word length, AND before OR, cards with identical texts sharing a
 * document), with its JSON snapshot. Kept here, unchanged, to be measured
 * side by side with the current index on the same cards and queries.
 */
import MiniSearch from 'minisearch'

import type {ProductCard} from '../../src/catalog/card.js'
import {analyze, normalizeLabel, processTerm, tokenize, type MatchMode, type SearchHit, type SearchOutcome, type SearchQuery} from '../../src/search/index.js'

/**
 * Cards whose searchable text is identical (the same model offered by many
 * shops, or re-sent with a new price) share one document of the text index:
 * their terms score the same, so each text is scored once and its products
 * are then filtered and ranked by their own price, stock and freshness.
 */
interface TextGroup {
  id: number
  hash: string
  name: string
  brand: string
  category: string
  members: Set<string>
}

interface Product {
  group: TextGroup
  sku: string
  price: number
  currency: string
  available: number
  updated: number
}

interface Candidate {
  id: string
  product: Product
  score: number
}

interface GroupDoc {
  id: number
  name: string
  brand: string
  category: string
  tags: string
  description: string
}

// Name and brand first: a word in the title says more than the same word in the description.
const BOOST = {name: 4, brand: 3, tags: 2, category: 1.5, description: 0.5}

/** Same options for a new index and one loaded from a snapshot (minisearch requires it). */
const OPTIONS = {
  idField: 'id',
  fields: ['name', 'brand', 'category', 'tags', 'description'],
  storeFields: [] as string[],
  tokenize,
  processTerm,
  autoVacuum: {minDirtCount: 2000, minDirtFactor: 0.2, batchSize: 2000, batchWait: 5},
}

/** Typos allowed per word: none for short words (too many false friends), one from 5 letters, two from 9. */
const fuzziness = (term: string) => (term.length >= 9 ? 2 : term.length >= 5 ? 1 : 0)
/** Prefix matching only on the last word (the one being typed), from 3 letters. */
const lastWordPrefix = (term: string, i: number, terms: string[]) => i === terms.length - 1 && term.length >= 3

function textHash(card: ProductCard): string {
  return createHash('sha1')
    .update(`${card.name}\u0001${card.brand}\u0001${card.category}\u0001${card.tags.join('\u0002')}\u0001${card.description}`)
    .digest('base64')
}

export interface MiniSearchSnapshot {
  index: string
  groups: Array<[id: number, hash: string, name: string, brand: string, category: string]>
  products: Array<[id: string, group: number, sku: string, price: number, currency: string, available: number, updated: number]>
}

/**
 * The searchable catalogue: the latest version of every product seen, over a
 * minisearch index of Russian-analysed text. Bans apply at query time through
 * a set of hidden ids, so a ban hides a product at once however long ago it
 * was indexed, and lifting it shows the product again at once.
 */
export class MiniSearchCatalog {
  private readonly mini: MiniSearch<GroupDoc>
  private readonly products = new Map<string, Product>()
  private readonly groups = new Map<number, TextGroup>()
  private readonly groupsByHash = new Map<string, TextGroup>()
  /** Exact SKU → product id, or ids when several share it (a SKU ban hides all; a SKU query finds them). */
  private readonly bySku = new Map<string, string | Set<string>>()
  private readonly hidden = new Set<string>()
  private readonly labelKeys = new Map<string, string>()
  private nextGroup = 1

  constructor(
    /** Whether a card is banned now (by product id or SKU). */
    private readonly isBanned: (productId: string, sku: string) => boolean = () => false,
    snapshot?: MiniSearchSnapshot,
  ) {
    this.mini = snapshot ? MiniSearch.loadJSON<GroupDoc>(snapshot.index, OPTIONS) : new MiniSearch<GroupDoc>(OPTIONS)
    for (const [id, hash, name, brand, category] of snapshot?.groups ?? []) {
      const group: TextGroup = {id, hash, name, brand, category, members: new Set()}
      this.groups.set(id, group)
      this.groupsByHash.set(hash, group)
      this.nextGroup = Math.max(this.nextGroup, id + 1)
    }
    for (const [id, groupId, sku, price, currency, available, updated] of snapshot?.products ?? []) {
      const group = this.groups.get(groupId)!
      group.members.add(id)
      this.products.set(id, {group, sku, price, currency, available, updated})
      this.mapSku(id, sku)
    }
    this.recheckAll()
  }

  /** Products indexed (banned ones included). */
  get size(): number {
    return this.products.size
  }

  /** Products that are indexed and not banned. */
  get visible(): number {
    return this.products.size - this.hidden.size
  }

  /** Distinct searchable texts (documents of the text index). */
  get texts(): number {
    return this.groups.size
  }

  private readonly currencies = new Map<string, string>()
  /** One string per currency code instead of one per product. */
  private currency(code: string): string {
    let shared = this.currencies.get(code)
    if (shared === undefined) this.currencies.set(code, (shared = code))
    return shared
  }

  private labelKey(value: string): string {
    let key = this.labelKeys.get(value)
    if (key === undefined) {
      key = normalizeLabel(value)
      if (this.labelKeys.size > 100_000) this.labelKeys.clear()
      this.labelKeys.set(value, key)
    }
    return key
  }

  // Almost every SKU names one product: a plain string then, a Set only when shared (saves a Set per product).
  private mapSku(id: string, sku: string): void {
    const ids = this.bySku.get(sku)
    if (ids === undefined || ids === id) this.bySku.set(sku, id)
    else if (typeof ids === 'string') this.bySku.set(sku, new Set([ids, id]))
    else ids.add(id)
  }

  private unmapSku(id: string, sku: string): void {
    const ids = this.bySku.get(sku)
    if (ids === id) this.bySku.delete(sku)
    else if (typeof ids === 'object') {
      ids.delete(id)
      if (ids.size === 1) this.bySku.set(sku, [...ids][0]!)
    }
  }

  private skuIds(sku: string): string[] {
    const ids = this.bySku.get(sku)
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids]
  }

  private recheck(id: string): void {
    const product = this.products.get(id)
    if (product && this.isBanned(id, product.sku)) this.hidden.add(id)
    else this.hidden.delete(id)
  }

  /** Re-evaluates every product against the ban list (after loading a snapshot, bans may have changed). */
  recheckAll(): void {
    this.hidden.clear()
    for (const id of this.products.keys()) this.recheck(id)
  }

  private groupFor(card: ProductCard): TextGroup {
    const hash = textHash(card)
    let group = this.groupsByHash.get(hash)
    if (!group) {
      group = {id: this.nextGroup++, hash, name: card.name, brand: card.brand, category: card.category, members: new Set()}
      this.groups.set(group.id, group)
      this.groupsByHash.set(hash, group)
      this.mini.add({id: group.id, name: card.name, brand: card.brand, category: card.category, tags: card.tags.join(' '), description: card.description})
    }
    return group
  }

  private leave(id: string, group: TextGroup): void {
    group.members.delete(id)
    if (group.members.size > 0) return
    this.groups.delete(group.id)
    this.groupsByHash.delete(group.hash)
    this.mini.discard(group.id)
  }

  /** A new product or a new version of one: the old version's text stops matching it. */
  upsert(card: ProductCard): void {
    const id = card.product_id
    const previous = this.products.get(id)
    const group = this.groupFor(card)
    if (previous) {
      this.unmapSku(id, previous.sku)
      if (previous.group !== group) this.leave(id, previous.group)
    }
    group.members.add(id)
    this.products.set(id, {
      group,
      sku: card.sku,
      price: card.price.amount,
      currency: this.currency(card.price.currency),
      available: card.stock.available - card.stock.reserved,
      updated: Date.parse(card.updated_at),
    })
    this.mapSku(id, card.sku)
    this.recheck(id)
  }

  /** A deleted product (a tombstone): gone from every search. */
  remove(id: string): boolean {
    const product = this.products.get(id)
    if (!product) return false
    this.products.delete(id)
    this.unmapSku(id, product.sku)
    this.leave(id, product.group)
    this.hidden.delete(id)
    return true
  }

  /** A ban or unban naming a product id or a SKU: re-evaluates the products it names. */
  banChanged(kind: 'product' | 'sku', target: string): void {
    const ids = kind === 'product' ? [target] : this.skuIds(target)
    for (const id of ids) this.recheck(id)
  }

  has(id: string): boolean {
    return this.products.has(id)
  }

  private hit(id: string, product: Product, score: number): SearchHit {
    const {group} = product
    return {
      product_id: id,
      name: group.name,
      brand: group.brand,
      category: group.category,
      sku: product.sku,
      price: product.price,
      currency: product.currency,
      available: product.available,
      updated_at: new Date(product.updated).toISOString(),
      score,
    }
  }

  /** A visible product as a hit (score 0), or undefined when unknown or banned. */
  get(id: string): SearchHit | undefined {
    const product = this.products.get(id)
    return product && !this.hidden.has(id) ? this.hit(id, product, 0) : undefined
  }

  /** Every visible product, as hits with score 0 (for simulations and listings). */
  *visibleProducts(): Iterable<SearchHit> {
    for (const [id, product] of this.products) if (!this.hidden.has(id)) yield this.hit(id, product, 0)
  }

  search(query: SearchQuery): SearchOutcome {
    const accept = this.acceptor(query)
    const skuIds = this.bySku.has(query.text) ? this.skuIds(query.text) : this.skuIds(query.text.toUpperCase())
    if (skuIds.length > 0) {
      const candidates = skuIds.flatMap((id) => (accept(id, this.products.get(id)!) ? [{id, product: this.products.get(id)!, score: 1}] : []))
      return this.page(candidates, 'sku', query)
    }
    if (analyze(query.text).length === 0)
      return {hits: [], total: 0, mode: 'none', notice: 'The query has only stop words (such as "и", "для", "the"); add a word that names a product.'}

    const run = (combineWith: 'AND' | 'OR', fuzzy: boolean) =>
      this.mini.search(query.text, {boost: BOOST, prefix: lastWordPrefix, fuzzy: fuzzy ? fuzziness : false, combineWith})
    // Cheapest and most precise first; typos and partial matches only when that finds nothing.
    const passes: Array<[MatchMode, 'AND' | 'OR', boolean]> = [
      ['all-words', 'AND', false],
      ['all-words-fuzzy', 'AND', true],
      ['any-word', 'OR', true],
    ]
    for (const [mode, combineWith, fuzzy] of passes) {
      const candidates: Candidate[] = []
      for (const result of run(combineWith, fuzzy)) {
        const group = this.groups.get(result.id as number)
        if (!group) continue
        for (const id of group.members) {
          const product = this.products.get(id)!
          if (accept(id, product)) candidates.push({id, product, score: result.score})
        }
      }
      if (candidates.length > 0) return this.page(candidates, mode, query)
    }
    return {hits: [], total: 0, mode: 'none'}
  }

  private acceptor(query: SearchQuery): (id: string, product: Product) => boolean {
    const category = query.category === undefined ? undefined : normalizeLabel(query.category)
    const brand = query.brand === undefined ? undefined : normalizeLabel(query.brand)
    return (id, product) =>
      !(this.hidden.size > 0 && this.hidden.has(id)) &&
      (category === undefined || this.labelKey(product.group.category) === category) &&
      (brand === undefined || this.labelKey(product.group.brand) === brand) &&
      (query.minPrice === undefined || product.price >= query.minPrice) &&
      (query.maxPrice === undefined || product.price <= query.maxPrice) &&
      (!query.inStock || product.available > 0)
  }

  /** Ranks the candidates and builds hits for the first `limit` only. */
  private page(candidates: Candidate[], mode: MatchMode, query: SearchQuery): SearchOutcome {
    const byId = (a: Candidate, b: Candidate) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    const order: Record<SearchQuery['sort'], (a: Candidate, b: Candidate) => number> = {
      relevance: (a, b) => b.score - a.score || b.product.updated - a.product.updated || byId(a, b),
      'price-asc': (a, b) => a.product.price - b.product.price || b.score - a.score || byId(a, b),
      'price-desc': (a, b) => b.product.price - a.product.price || b.score - a.score || byId(a, b),
      newest: (a, b) => b.product.updated - a.product.updated || b.score - a.score || byId(a, b),
    }
    const hits = topK(candidates, query.limit, order[query.sort]).map((c) => this.hit(c.id, c.product, c.score))
    return {hits, total: candidates.length, mode}
  }

  /** Everything needed to rebuild this index without the source topic. */
  snapshot(): MiniSearchSnapshot {
    return {
      index: JSON.stringify(this.mini),
      groups: [...this.groups.values()].map((g) => [g.id, g.hash, g.name, g.brand, g.category]),
      products: [...this.products].map(([id, p]) => [id, p.group.id, p.sku, p.price, p.currency, p.available, p.updated]),
    }
  }
}

/** The k first items in `compare` order, in order: O(n·log k) instead of sorting all n. */
export function topK<T>(items: T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= k * 4) return items.sort(compare).slice(0, k)
  const best: T[] = []
  for (const item of items) {
    if (best.length === k && compare(item, best[k - 1]!) >= 0) continue
    let lo = 0
    let hi = best.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (compare(item, best[mid]!) < 0) hi = mid
      else lo = mid + 1
    }
    best.splice(lo, 0, item)
    if (best.length > k) best.pop()
  }
  return best
}
