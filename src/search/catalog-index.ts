import {createHash} from 'node:crypto'

import type {ProductCard} from '../catalog/card.js'
import {ProductTable, type PackedProductTable, type TableProduct} from '../catalog/product-table.js'
import {grown} from '../typed-arrays.js'
import {normalizeLabel} from './analyzer.js'
import type {SearchQuery} from './query.js'
import {Ranking} from './ranking.js'
import {TextIndex, type Combine, type TextIndexState} from './text-index.js'

/** What a hit shows, and what filters and sorting need: the product as the product table has it, and its score. */
export interface SearchHit extends TableProduct {
  score: number
}

/** How the hits were found: an exact SKU, all words, all words with typos allowed, or any word. */
export type MatchMode = 'sku' | 'all-words' | 'all-words-fuzzy' | 'any-word' | 'none'

export interface SearchOutcome {
  hits: SearchHit[]
  /** Matches before --limit. */
  total: number
  mode: MatchMode
  /** Set when the query could not match anything by construction (only stop words). */
  notice?: string
}

/** Everything needed to rebuild the index without the source topic (see snapshot.ts for the file). */
export interface IndexSnapshotData {
  text: TextIndexState
  /** Per text document: its text's hash (0 for a dead one). */
  docHashes: Float64Array
  products: PackedProductTable
  /** Per product slot: its text document (-1 for a free slot). */
  productDocs: Int32Array
}

/** The searchable text's identity: 48 bits of its SHA-1, a plain number (two texts of a million collide with odds of about 10^-3). */
function textHash(card: ProductCard): number {
  return createHash('sha1')
    .update(`${card.name}\u0001${card.brand}\u0001${card.category}\u0001${card.tags.join('\u0002')}\u0001${card.description}`)
    .digest()
    .readUIntBE(0, 6)
}

// Cheapest and most precise first; typos and partial matches only when that finds nothing.
const PASSES: Array<[MatchMode, Combine, boolean]> = [
  ['all-words', 'and', false],
  ['all-words-fuzzy', 'and', true],
  ['any-word', 'or', true],
]

/**
 * The searchable catalogue: the catalogue's product table (the latest
 * version of every product seen, bans applied) and beside it, by slot, a
 * compact text index (TextIndex) of Russian-analysed text. Cards with the
 * same text (one model from many shops) share one document, scored once.
 * Bans apply at query time through the table's hidden flag, so a ban hides
 * a product at once however long ago it was indexed.
 */
export class CatalogIndex {
  private text: TextIndex
  private readonly products: ProductTable
  /** Per product slot: its text document, -1 for none. */
  private productDoc = new Int32Array(1024).fill(-1)
  private readonly docByHash = new Map<number, number>()
  private docHash = new Float64Array(1024)
  /** A document's first product slot; more in `moreMembers` (rare: shared texts). */
  private docMember = new Int32Array(1024).fill(-1)
  private readonly moreMembers = new Map<number, number[]>()
  /** Normalized brand and category names → their id, and per table label its normalized id. */
  private readonly normalized = new Map<string, number>()
  private readonly labelKey: number[] = []

  constructor(
    /** Whether a card is banned now (by product id or SKU). */
    isBanned: (productId: string, sku: string) => boolean = () => false,
    snapshot?: IndexSnapshotData,
  ) {
    this.text = snapshot ? TextIndex.restore(snapshot.text) : new TextIndex()
    this.products = new ProductTable(isBanned, snapshot?.products)
    if (snapshot) {
      this.ensureDocs(this.text.documents)
      this.docHash.set(snapshot.docHashes)
      for (let d = 0; d < this.text.documents; d++) if (this.text.isAlive(d)) this.docByHash.set(this.docHash[d]!, d)
      this.ensureSlots(this.products.length)
      for (let s = 0; s < this.products.length; s++) if (snapshot.productDocs[s]! >= 0) this.join(s, snapshot.productDocs[s]!)
    }
  }

  /** Products indexed (banned ones included). */
  get size(): number {
    return this.products.size
  }

  /** Products that are indexed and not banned. */
  get visible(): number {
    return this.products.visible
  }

  /** Distinct searchable texts (documents of the text index). */
  get texts(): number {
    return this.text.live
  }

  /** Every brand and category of the table under its normalized id (labels only ever grow). */
  private updateLabelKeys(): void {
    const {labels} = this.products
    for (let id = this.labelKey.length; id < labels.length; id++) {
      const key = normalizeLabel(labels[id]!)
      let normalizedId = this.normalized.get(key)
      if (normalizedId === undefined) this.normalized.set(key, (normalizedId = this.normalized.size))
      this.labelKey.push(normalizedId)
    }
  }

  private ensureDocs(count: number): void {
    if (count <= this.docMember.length) return
    const size = Math.max(count, this.docMember.length * 2)
    this.docHash = grown(this.docHash, size)
    const members = new Int32Array(size).fill(-1)
    members.set(this.docMember)
    this.docMember = members
  }

  private ensureSlots(count: number): void {
    if (count <= this.productDoc.length) return
    const docs = new Int32Array(Math.max(count, this.productDoc.length * 2)).fill(-1)
    docs.set(this.productDoc)
    this.productDoc = docs
  }

  private join(slot: number, doc: number): void {
    this.productDoc[slot] = doc
    if (this.docMember[doc] === -1) this.docMember[doc] = slot
    else this.moreMembers.set(doc, [...(this.moreMembers.get(doc) ?? []), slot])
  }

  /** The product leaves its document; a document left without products is removed from the text index. */
  private leave(slot: number): void {
    const doc = this.productDoc[slot]!
    const more = this.moreMembers.get(doc)
    if (this.docMember[doc] === slot) this.docMember[doc] = more?.shift() ?? -1
    else more?.splice(more.indexOf(slot), 1)
    if (more?.length === 0) this.moreMembers.delete(doc)
    this.productDoc[slot] = -1
    if (this.docMember[doc] !== -1) return
    this.docByHash.delete(this.docHash[doc]!)
    this.docHash[doc] = 0
    this.text.remove(doc)
  }

  /** Drops dead documents and the postings arena's slack (after reading a whole topic in: lists grew by doubling). */
  pack(): void {
    this.compact()
  }

  private compact(): void {
    const renumber = this.text.compact()
    const more = new Map(this.moreMembers)
    this.moreMembers.clear()
    const [oldMembers, oldHashes] = [this.docMember, this.docHash]
    const size = Math.max(1024, this.text.documents)
    this.docMember = new Int32Array(size).fill(-1)
    this.docHash = new Float64Array(size)
    for (let old = 0; old < renumber.length; old++) {
      const doc = renumber[old]!
      if (doc < 0) continue
      this.docHash[doc] = oldHashes[old]!
      this.docByHash.set(oldHashes[old]!, doc)
      this.docMember[doc] = oldMembers[old]!
      if (more.has(old)) this.moreMembers.set(doc, more.get(old)!)
    }
    for (let s = 0; s < this.products.length; s++) if (this.productDoc[s]! >= 0) this.productDoc[s] = renumber[this.productDoc[s]!]!
  }

  private docFor(card: ProductCard, hash: number): number {
    let doc = this.docByHash.get(hash)
    if (doc === undefined) {
      doc = this.text.add([card.name, card.brand, card.tags.join(' '), card.category, card.description])
      this.ensureDocs(doc + 1)
      this.docHash[doc] = hash
      this.docByHash.set(hash, doc)
    }
    return doc
  }

  /** Re-evaluates every product against the ban list (after loading a snapshot, bans may have changed). */
  recheckAll(): void {
    this.products.recheckAll()
  }

  /** A new product or a new version of one: the old version's text stops matching it. */
  upsert(card: ProductCard): void {
    // Only here and after a remove, when no document id is held: compaction renumbers them.
    if (this.text.wantsCompaction) this.compact()
    const hash = textHash(card)
    const slot = this.products.upsert(card)
    this.ensureSlots(slot + 1)
    if (this.productDoc[slot]! >= 0 && this.productDoc[slot] !== this.docByHash.get(hash)) this.leave(slot)
    if (this.productDoc[slot]! < 0) this.join(slot, this.docFor(card, hash))
  }

  /** A deleted product (a tombstone): gone from every search. */
  remove(id: string): boolean {
    const slot = this.products.slotOf(id)
    if (slot === undefined) return false
    this.products.remove(id)
    this.leave(slot)
    if (this.text.wantsCompaction) this.compact()
    return true
  }

  /** A ban or unban naming a product id or a SKU: re-evaluates the products it names. */
  banChanged(kind: 'product' | 'sku', target: string): void {
    this.products.banChanged(kind, target)
  }

  has(id: string): boolean {
    return this.products.slotOf(id) !== undefined
  }

  private hit(slot: number, score: number): SearchHit {
    return {...this.products.product(slot), score}
  }

  /** A visible product as a hit (score 0), or undefined when unknown or banned. */
  get(id: string): SearchHit | undefined {
    const product = this.products.get(id)
    return product && {...product, score: 0}
  }

  /** A known product, banned or not (the gateway's product lookup). */
  lookup(id: string): {product: TableProduct; banned: boolean} | undefined {
    return this.products.lookup(id)
  }

  /** Every visible product, as hits with score 0 (for simulations and listings). */
  *visibleProducts(): Iterable<SearchHit> {
    for (const slot of this.products.visibleSlots()) yield this.hit(slot, 0)
  }

  search(query: SearchQuery): SearchOutcome {
    const accept = this.acceptor(query)
    const p = this.products
    const exact = p.skuSlots(query.text)
    const skuSlots = exact.length > 0 ? exact : p.skuSlots(query.text.toUpperCase())
    if (skuSlots.length > 0) {
      const ranking = new Ranking(p, query)
      for (const slot of skuSlots) if (accept?.(slot)) ranking.offer(slot, 1)
      return this.page(ranking, 'sku')
    }
    const terms = TextIndex.terms(query.text)
    if (terms.length === 0)
      return {hits: [], total: 0, mode: 'none', notice: 'The query has only stop words (such as "и", "для", "the"); add a word that names a product.'}
    if (!accept) return {hits: [], total: 0, mode: 'none'}
    for (const [mode, combine, fuzzy] of PASSES) {
      const ranking = new Ranking(p, query)
      this.text.match(terms, combine, fuzzy, (doc, score) => {
        const first = this.docMember[doc]!
        if (first >= 0 && accept(first)) ranking.offer(first, score)
        const more = this.moreMembers.get(doc)
        if (more) for (const slot of more) if (accept(slot)) ranking.offer(slot, score)
      })
      if (ranking.total > 0) return this.page(ranking, mode)
    }
    return {hits: [], total: 0, mode: 'none'}
  }

  /** The filters as one check per product slot; undefined when a filter names a label no product has. */
  private acceptor(query: SearchQuery): ((slot: number) => boolean) | undefined {
    this.updateLabelKeys()
    const label = (value: string | undefined) => (value === undefined ? -1 : (this.normalized.get(normalizeLabel(value)) ?? -2))
    const category = label(query.category)
    const brand = label(query.brand)
    if (category === -2 || brand === -2) return undefined
    const {minPrice = -Infinity, maxPrice = Infinity, inStock = false} = query
    const [p, key] = [this.products, this.labelKey]
    return (slot) =>
      p.hidden[slot] === 0 &&
      (category === -1 || key[p.category[slot]!] === category) &&
      (brand === -1 || key[p.brand[slot]!] === brand) &&
      p.price[slot]! >= minPrice &&
      p.price[slot]! <= maxPrice &&
      (!inStock || p.available[slot]! > 0)
  }

  private page(ranking: Ranking, mode: MatchMode): SearchOutcome {
    return {hits: ranking.best().map(([slot, score]) => this.hit(slot, score)), total: ranking.total, mode}
  }

  /** The index as it is now, for a snapshot: taken synchronously and cheaply; the file is written from it while the index changes. */
  snapshot(): IndexSnapshotData {
    return {
      text: this.text.capture(),
      docHashes: this.docHash.slice(0, this.text.documents),
      products: this.products.capture(),
      productDocs: this.productDoc.slice(0, this.products.length),
    }
  }
}
