import {createHash} from 'node:crypto'

import type {ProductCard} from '../catalog/card.js'
import type {TableProduct} from '../catalog/product-table.js'
import {normalizeLabel} from './analyzer.js'
import {ProductColumns, type PackedProducts} from './catalog-products.js'
import {grown} from './postings.js'
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
  /** Per text document: its hash and the fields a hit shows (0 and '' for a dead one). */
  docs: {hash: number[]; name: string[]; brand: string[]; category: string[]}
  products: PackedProducts
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
 * The searchable catalogue: the latest version of every product seen, over
 * a compact text index (TextIndex) of Russian-analysed text. Cards with the
 * same text (one model from many shops) share one document, scored once.
 * Bans apply at query time through a hidden flag per product, so a ban
 * hides a product at once however long ago it was indexed.
 */
export class CatalogIndex {
  private text: TextIndex
  private products: ProductColumns
  private readonly bySku = new Map<string, number | number[]>()
  private readonly docByHash = new Map<number, number>()
  /** One string per brand and category name, not one per card. */
  private readonly names = new Map<string, string>()
  private docs: IndexSnapshotData['docs'] = {hash: [], name: [], brand: [], category: []}
  private docBrand = new Int32Array(1024)
  private docCategory = new Int32Array(1024)
  /** A document's first product slot; more in `moreMembers` (rare: shared texts). */
  private docMember = new Int32Array(1024).fill(-1)
  private readonly moreMembers = new Map<number, number[]>()
  private readonly labels = new Map<string, number>()
  /** Brand and category names as written → their label id (normalizing each one once). */
  private readonly labelOf = new Map<string, number>()
  private hiddenCount = 0

  constructor(
    /** Whether a card is banned now (by product id or SKU). */
    private readonly isBanned: (productId: string, sku: string) => boolean = () => false,
    snapshot?: IndexSnapshotData,
  ) {
    this.text = snapshot ? TextIndex.restore(snapshot.text) : new TextIndex()
    this.products = snapshot ? ProductColumns.restore(snapshot.products) : new ProductColumns()
    if (snapshot) {
      const {hash, name, brand, category} = snapshot.docs
      this.docs = {hash: [...hash], name: [...name], brand: brand.map((b) => this.intern(b)), category: category.map((c) => this.intern(c))}
      this.ensureDocs(this.text.documents)
      for (let d = 0; d < this.text.documents; d++) {
        if (!this.text.isAlive(d)) continue
        this.describeDoc(d)
        this.docByHash.set(this.docs.hash[d]!, d)
      }
      for (let s = 0; s < this.products.length; s++) {
        this.join(s, this.products.doc[s]!)
        this.mapSku(s, this.products.skus[s]!)
      }
    }
    this.recheckAll()
  }

  /** Products indexed (banned ones included). */
  get size(): number {
    return this.products.count
  }

  /** Products that are indexed and not banned. */
  get visible(): number {
    return this.products.count - this.hiddenCount
  }

  /** Distinct searchable texts (documents of the text index). */
  get texts(): number {
    return this.text.live
  }

  private label(value: string): number {
    let id = this.labelOf.get(value)
    if (id !== undefined) return id
    const key = normalizeLabel(value)
    id = this.labels.get(key)
    if (id === undefined) this.labels.set(key, (id = this.labels.size))
    this.labelOf.set(value, id)
    return id
  }

  private ensureDocs(count: number): void {
    if (count <= this.docMember.length) return
    const size = Math.max(count, this.docMember.length * 2)
    this.docBrand = grown(this.docBrand, size)
    this.docCategory = grown(this.docCategory, size)
    const members = new Int32Array(size).fill(-1)
    members.set(this.docMember)
    this.docMember = members
  }

  private describeDoc(doc: number): void {
    this.docBrand[doc] = this.label(this.docs.brand[doc]!)
    this.docCategory[doc] = this.label(this.docs.category[doc]!)
  }

  private join(slot: number, doc: number): void {
    this.products.doc[slot] = doc
    if (this.docMember[doc] === -1) this.docMember[doc] = slot
    else this.moreMembers.set(doc, [...(this.moreMembers.get(doc) ?? []), slot])
  }

  /** The product leaves its document; a document left without products is removed from the text index. */
  private leave(slot: number): void {
    const doc = this.products.doc[slot]!
    const more = this.moreMembers.get(doc)
    if (this.docMember[doc] === slot) this.docMember[doc] = more?.shift() ?? -1
    else more?.splice(more.indexOf(slot), 1)
    if (more?.length === 0) this.moreMembers.delete(doc)
    this.products.doc[slot] = -1
    if (this.docMember[doc] !== -1) return
    this.docByHash.delete(this.docs.hash[doc]!)
    this.docs.hash[doc] = 0
    for (const field of [this.docs.name, this.docs.brand, this.docs.category]) field[doc] = ''
    this.text.remove(doc)
  }

  /** Drops dead documents and the postings arena's slack (after reading a whole topic in: lists grew by doubling). */
  pack(): void {
    this.compact()
  }

  private compact(): void {
    const renumber = this.text.compact()
    const docs: IndexSnapshotData['docs'] = {hash: [], name: [], brand: [], category: []}
    const more = new Map(this.moreMembers)
    this.moreMembers.clear()
    const oldMembers = this.docMember
    this.docMember = new Int32Array(Math.max(1024, this.text.documents)).fill(-1)
    for (let old = 0; old < renumber.length; old++) {
      const doc = renumber[old]!
      if (doc < 0) continue
      docs.hash[doc] = this.docs.hash[old]!
      docs.name[doc] = this.docs.name[old]!
      docs.brand[doc] = this.docs.brand[old]!
      docs.category[doc] = this.docs.category[old]!
      this.docByHash.set(docs.hash[doc], doc)
      this.docMember[doc] = oldMembers[old]!
      if (more.has(old)) this.moreMembers.set(doc, more.get(old)!)
    }
    this.docs = docs
    this.docBrand = new Int32Array(this.docMember.length)
    this.docCategory = new Int32Array(this.docMember.length)
    for (let d = 0; d < this.text.documents; d++) this.describeDoc(d)
    for (let s = 0; s < this.products.length; s++) if (this.products.doc[s]! >= 0) this.products.doc[s] = renumber[this.products.doc[s]!]!
  }

  private intern(value: string): string {
    let shared = this.names.get(value)
    if (shared === undefined) this.names.set(value, (shared = value))
    return shared
  }

  private docFor(card: ProductCard, hash: number): number {
    let doc = this.docByHash.get(hash)
    if (doc === undefined) {
      doc = this.text.add([card.name, card.brand, card.tags.join(' '), card.category, card.description])
      this.ensureDocs(doc + 1)
      this.docs.hash[doc] = hash
      this.docs.name[doc] = card.name
      this.docs.brand[doc] = this.intern(card.brand)
      this.docs.category[doc] = this.intern(card.category)
      this.docByHash.set(hash, doc)
      this.describeDoc(doc)
    }
    return doc
  }

  // Almost every SKU names one product: a plain slot then, an array only when shared.
  private mapSku(slot: number, sku: string): void {
    const slots = this.bySku.get(sku)
    if (slots === undefined || slots === slot) this.bySku.set(sku, slot)
    else if (typeof slots === 'number') this.bySku.set(sku, [slots, slot])
    else if (!slots.includes(slot)) slots.push(slot)
  }

  private unmapSku(slot: number, sku: string): void {
    const slots = this.bySku.get(sku)
    if (slots === slot) this.bySku.delete(sku)
    else if (Array.isArray(slots)) {
      slots.splice(slots.indexOf(slot), 1)
      if (slots.length === 1) this.bySku.set(sku, slots[0]!)
    }
  }

  private skuSlots(sku: string): number[] {
    const slots = this.bySku.get(sku)
    return slots === undefined ? [] : typeof slots === 'number' ? [slots] : [...slots]
  }

  private recheck(slot: number): void {
    const p = this.products
    const hide = this.isBanned(p.ids[slot]!, p.skus[slot]!) ? 1 : 0
    this.hiddenCount += hide - p.hidden[slot]!
    p.hidden[slot] = hide
  }

  /** Re-evaluates every product against the ban list (after loading a snapshot, bans may have changed). */
  recheckAll(): void {
    for (const slot of this.products.slotById.values()) this.recheck(slot)
  }

  /** A new product or a new version of one: the old version's text stops matching it. */
  upsert(card: ProductCard): void {
    // Only here and after a remove, when no document id is held: compaction renumbers them.
    if (this.text.wantsCompaction) this.compact()
    const p = this.products
    const hash = textHash(card)
    let slot = p.slotOf(card.product_id)
    if (slot === undefined) slot = p.claim(card.product_id)
    else this.unmapSku(slot, p.skus[slot]!)
    // Leave the old text first: leaving may compact the index, which renumbers documents.
    if (p.doc[slot]! >= 0 && p.doc[slot] !== this.docByHash.get(hash)) this.leave(slot)
    if (p.doc[slot]! < 0) this.join(slot, this.docFor(card, hash))
    p.skus[slot] = card.sku
    p.price[slot] = card.price.amount
    p.currency[slot] = p.currencyIndex(card.price.currency)
    p.available[slot] = card.stock.available - card.stock.reserved
    p.updated[slot] = Date.parse(card.updated_at)
    this.mapSku(slot, card.sku)
    this.recheck(slot)
  }

  /** A deleted product (a tombstone): gone from every search. */
  remove(id: string): boolean {
    const slot = this.products.slotOf(id)
    if (slot === undefined) return false
    this.unmapSku(slot, this.products.skus[slot]!)
    this.hiddenCount -= this.products.hidden[slot]!
    this.leave(slot)
    this.products.release(slot)
    if (this.text.wantsCompaction) this.compact()
    return true
  }

  /** A ban or unban naming a product id or a SKU: re-evaluates the products it names. */
  banChanged(kind: 'product' | 'sku', target: string): void {
    const slot = kind === 'product' ? this.products.slotOf(target) : undefined
    for (const s of kind === 'product' ? (slot === undefined ? [] : [slot]) : this.skuSlots(target)) this.recheck(s)
  }

  has(id: string): boolean {
    return this.products.slotOf(id) !== undefined
  }

  private hit(slot: number, score: number): SearchHit {
    const p = this.products
    const doc = p.doc[slot]!
    return {
      product_id: p.ids[slot]!,
      name: this.docs.name[doc]!,
      brand: this.docs.brand[doc]!,
      category: this.docs.category[doc]!,
      sku: p.skus[slot]!,
      price: p.price[slot]!,
      currency: p.currencies[p.currency[slot]!]!,
      available: p.available[slot]!,
      updated_at: new Date(p.updated[slot]!).toISOString(),
      score,
    }
  }

  /** A visible product as a hit (score 0), or undefined when unknown or banned. */
  get(id: string): SearchHit | undefined {
    const slot = this.products.slotOf(id)
    return slot !== undefined && this.products.hidden[slot] === 0 ? this.hit(slot, 0) : undefined
  }

  /** Every visible product, as hits with score 0 (for simulations and listings). */
  *visibleProducts(): Iterable<SearchHit> {
    for (const slot of this.products.slotById.values()) if (this.products.hidden[slot] === 0) yield this.hit(slot, 0)
  }

  search(query: SearchQuery): SearchOutcome {
    const accept = this.acceptor(query)
    const skuSlots = this.bySku.has(query.text) ? this.skuSlots(query.text) : this.skuSlots(query.text.toUpperCase())
    if (skuSlots.length > 0) {
      const ranking = new Ranking(this.products, query)
      for (const slot of skuSlots) if (accept?.(slot)) ranking.offer(slot, 1)
      return this.page(ranking, 'sku')
    }
    const terms = TextIndex.terms(query.text)
    if (terms.length === 0)
      return {hits: [], total: 0, mode: 'none', notice: 'The query has only stop words (such as "и", "для", "the"); add a word that names a product.'}
    if (!accept) return {hits: [], total: 0, mode: 'none'}
    for (const [mode, combine, fuzzy] of PASSES) {
      const ranking = new Ranking(this.products, query)
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
    const label = (value: string | undefined) => (value === undefined ? -1 : (this.labels.get(normalizeLabel(value)) ?? -2))
    const category = label(query.category)
    const brand = label(query.brand)
    if (category === -2 || brand === -2) return undefined
    const {minPrice = -Infinity, maxPrice = Infinity, inStock = false} = query
    const p = this.products
    return (slot) => {
      const doc = p.doc[slot]!
      return (
        p.hidden[slot] === 0 &&
        (category === -1 || this.docCategory[doc] === category) &&
        (brand === -1 || this.docBrand[doc] === brand) &&
        p.price[slot]! >= minPrice &&
        p.price[slot]! <= maxPrice &&
        (!inStock || p.available[slot]! > 0)
      )
    }
  }

  private page(ranking: Ranking, mode: MatchMode): SearchOutcome {
    return {hits: ranking.best().map(([slot, score]) => this.hit(slot, score)), total: ranking.total, mode}
  }

  /** The index as it is now, for a snapshot: taken synchronously and cheaply; the file is written from it while the index changes. */
  snapshot(): IndexSnapshotData {
    const n = this.text.documents
    return {
      text: this.text.capture(),
      docs: {hash: this.docs.hash.slice(0, n), name: this.docs.name.slice(0, n), brand: this.docs.brand.slice(0, n), category: this.docs.category.slice(0, n)},
      products: this.products.capture(),
    }
  }
}
