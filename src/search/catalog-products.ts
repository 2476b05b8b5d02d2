import {grown} from './postings.js'

/**
 * The searchable catalogue's products in columns (one slot per product,
 * reused after a delete): what filters, sorts and hits read, in typed
 * arrays rather than an object per product, so a million cards stay small
 * and a snapshot copies them in a few milliseconds.
 */
export class ProductColumns {
  ids: string[] = []
  skus: string[] = []
  price = new Float64Array(1024)
  available = new Float64Array(1024)
  updated = new Float64Array(1024)
  /** The product's text document, -1 for a free slot. */
  doc = new Int32Array(1024).fill(-1)
  currency = new Uint8Array(1024)
  hidden = new Uint8Array(1024)
  readonly currencies: string[] = []
  readonly slotById = new Map<string, number>()
  private readonly free: number[] = []
  private slots = 0

  /** Slots in use or freed (the columns' used length). */
  get length(): number {
    return this.slots
  }

  get count(): number {
    return this.slotById.size
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id)
  }

  /** A slot for a new product. */
  claim(id: string): number {
    const slot = this.free.pop() ?? this.slots++
    if (slot >= this.doc.length) this.grow(Math.max(slot + 1, this.doc.length * 2))
    this.ids[slot] = id
    this.slotById.set(id, slot)
    return slot
  }

  release(slot: number): void {
    this.slotById.delete(this.ids[slot]!)
    this.ids[slot] = ''
    this.skus[slot] = ''
    this.doc[slot] = -1
    this.hidden[slot] = 0
    this.free.push(slot)
  }

  currencyIndex(code: string): number {
    let at = this.currencies.indexOf(code)
    if (at < 0) {
      if (this.currencies.length === 255) throw new Error('more than 255 currencies in one catalogue')
      at = this.currencies.push(code) - 1
    }
    return at
  }

  private grow(size: number): void {
    this.price = grown(this.price, size)
    this.available = grown(this.available, size)
    this.updated = grown(this.updated, size)
    const doc = new Int32Array(size).fill(-1)
    doc.set(this.doc)
    this.doc = doc
    this.currency = grown(this.currency, size)
    this.hidden = grown(this.hidden, size)
  }

  /** The columns packed (free slots dropped), copied: what a snapshot writes. */
  capture(): PackedProducts {
    const used: number[] = []
    for (let s = 0; s < this.slots; s++) if (this.doc[s]! >= 0) used.push(s)
    const pick = <T extends Float64Array | Int32Array | Uint8Array>(column: T): T => {
      const out = new (column.constructor as new (n: number) => T)(used.length)
      for (let i = 0; i < used.length; i++) out[i] = column[used[i]!]!
      return out
    }
    return {
      ids: used.map((s) => this.ids[s]!),
      skus: used.map((s) => this.skus[s]!),
      currencies: [...this.currencies],
      price: pick(this.price),
      available: pick(this.available),
      updated: pick(this.updated),
      doc: pick(this.doc),
      currency: pick(this.currency),
    }
  }

  static restore(packed: PackedProducts): ProductColumns {
    const columns = new ProductColumns()
    columns.currencies.push(...packed.currencies)
    const n = packed.ids.length
    columns.grow(Math.max(1024, n))
    columns.ids = packed.ids.slice()
    columns.skus = packed.skus.slice()
    columns.price.set(packed.price)
    columns.available.set(packed.available)
    columns.updated.set(packed.updated)
    columns.doc.set(packed.doc)
    columns.currency.set(packed.currency)
    columns.slots = n
    for (let s = 0; s < n; s++) columns.slotById.set(packed.ids[s]!, s)
    return columns
  }
}

export interface PackedProducts {
  ids: string[]
  skus: string[]
  currencies: string[]
  price: Float64Array
  available: Float64Array
  updated: Float64Array
  doc: Int32Array
  currency: Uint8Array
}
