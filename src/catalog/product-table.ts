import {grown} from '../typed-arrays.js'
import type {ProductCard} from './card.js'

/** What a product is to anyone who shows or filters it: a search hit, a recommendation. */
export interface TableProduct {
  product_id: string
  name: string
  brand: string
  category: string
  sku: string
  price: number
  currency: string
  /** Stock available minus reserved. */
  available: number
  updated_at: string
}

/** The table's columns without its free slots' bookkeeping: what a snapshot stores. */
export interface PackedProductTable {
  /** Per slot; '' for a free slot. */
  ids: string[]
  skus: string[]
  names: string[]
  /** Brand and category names, each once; `brand` and `category` index them. */
  labels: string[]
  currencies: string[]
  brand: Int32Array
  category: Int32Array
  price: Float64Array
  available: Float64Array
  /** Epoch milliseconds. */
  updated: Float64Array
  currency: Uint8Array
}

const INITIAL = 1024

/**
 * The latest version of every product of the filtered catalogue, one slot
 * per product in typed columns (slots are reused after a delete), with the
 * live ban list applied through a hidden flag: a ban hides a product at once
 * and lifting it shows it again, without re-reading anything. Search keeps
 * its text index beside it, by slot; the recommender reads it as it is.
 * Columns rather than an object per product keep a million cards small and
 * make a snapshot a few array copies.
 */
export class ProductTable {
  ids: string[] = []
  skus: string[] = []
  names: string[] = []
  brand = new Int32Array(INITIAL)
  category = new Int32Array(INITIAL)
  price = new Float64Array(INITIAL)
  available = new Float64Array(INITIAL)
  updated = new Float64Array(INITIAL)
  currency = new Uint8Array(INITIAL)
  /** 1 while a ban names the product or its SKU. */
  hidden = new Uint8Array(INITIAL)
  readonly labels: string[] = []
  readonly currencies: string[] = []
  private readonly labelIds = new Map<string, number>()
  private readonly slotById = new Map<string, number>()
  /** Almost every SKU names one product: a plain slot then, an array only when shared. */
  private readonly bySku = new Map<string, number | number[]>()
  private readonly free: number[] = []
  private slots = 0
  private hiddenCount = 0

  constructor(
    /** Whether a product is banned now (by product id or SKU). */
    private readonly isBanned: (productId: string, sku: string) => boolean = () => false,
    packed?: PackedProductTable,
  ) {
    if (packed) this.restore(packed)
  }

  /** Slots in use or free: the length of every column that is read. */
  get length(): number {
    return this.slots
  }

  /** Products known (banned ones included). */
  get size(): number {
    return this.slotById.size
  }

  /** Products known and not banned. */
  get visible(): number {
    return this.slotById.size - this.hiddenCount
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id)
  }

  /** The latest version of a card; returns its slot (the same one for every version). */
  upsert(card: ProductCard): number {
    let slot = this.slotById.get(card.product_id)
    if (slot === undefined) slot = this.claim(card.product_id)
    else this.unmapSku(slot, this.skus[slot]!)
    this.skus[slot] = card.sku
    this.names[slot] = card.name
    this.brand[slot] = this.labelId(card.brand)
    this.category[slot] = this.labelId(card.category)
    this.price[slot] = card.price.amount
    this.currency[slot] = this.currencyId(card.price.currency)
    this.available[slot] = card.stock.available - card.stock.reserved
    this.updated[slot] = Date.parse(card.updated_at)
    this.mapSku(slot, card.sku)
    this.recheck(slot)
    return slot
  }

  /** A deleted product (a tombstone); false when it was not there. Its slot is reused. */
  remove(id: string): boolean {
    const slot = this.slotById.get(id)
    if (slot === undefined) return false
    this.unmapSku(slot, this.skus[slot]!)
    this.hiddenCount -= this.hidden[slot]!
    this.slotById.delete(id)
    this.ids[slot] = ''
    this.skus[slot] = ''
    this.names[slot] = ''
    this.hidden[slot] = 0
    this.free.push(slot)
    return true
  }

  /** A ban or unban naming a product id or a SKU: re-evaluates the products it names. */
  banChanged(kind: 'product' | 'sku', target: string): void {
    for (const slot of kind === 'product' ? [this.slotById.get(target)].filter((s) => s !== undefined) : this.skuSlots(target)) this.recheck(slot)
  }

  /** Re-evaluates every product against the ban list (after loading a snapshot, bans may have changed). */
  recheckAll(): void {
    for (const slot of this.slotById.values()) this.recheck(slot)
  }

  /** The slots of the products with this SKU. */
  skuSlots(sku: string): number[] {
    const slots = this.bySku.get(sku)
    return slots === undefined ? [] : typeof slots === 'number' ? [slots] : [...slots]
  }

  /** The product, unless it is unknown or banned. */
  get(id: string): TableProduct | undefined {
    const slot = this.slotById.get(id)
    return slot !== undefined && this.hidden[slot] === 0 ? this.product(slot) : undefined
  }

  /** The latest accepted version of a known product, banned or not. */
  lookup(id: string): {product: TableProduct; banned: boolean} | undefined {
    const slot = this.slotById.get(id)
    return slot === undefined ? undefined : {product: this.product(slot), banned: this.hidden[slot] === 1}
  }

  /** The product in a slot in use. */
  product(slot: number): TableProduct {
    return {
      product_id: this.ids[slot]!,
      name: this.names[slot]!,
      brand: this.labels[this.brand[slot]!]!,
      category: this.labels[this.category[slot]!]!,
      sku: this.skus[slot]!,
      price: this.price[slot]!,
      currency: this.currencies[this.currency[slot]!]!,
      available: this.available[slot]!,
      updated_at: new Date(this.updated[slot]!).toISOString(),
    }
  }

  /** The slots of the products known and not banned. */
  *visibleSlots(): Iterable<number> {
    for (const slot of this.slotById.values()) if (this.hidden[slot] === 0) yield slot
  }

  /** The columns as they are now, copied: taken synchronously, written while the table changes. */
  capture(): PackedProductTable {
    const n = this.slots
    return {
      ids: this.ids.slice(0, n),
      skus: this.skus.slice(0, n),
      names: this.names.slice(0, n),
      labels: [...this.labels],
      currencies: [...this.currencies],
      brand: this.brand.slice(0, n),
      category: this.category.slice(0, n),
      price: this.price.slice(0, n),
      available: this.available.slice(0, n),
      updated: this.updated.slice(0, n),
      currency: this.currency.slice(0, n),
    }
  }

  private restore(packed: PackedProductTable): void {
    const n = packed.ids.length
    this.grow(Math.max(INITIAL, n))
    this.ids = packed.ids.slice()
    this.skus = packed.skus.slice()
    this.names = packed.names.slice()
    for (const label of packed.labels) this.labelId(label)
    this.currencies.push(...packed.currencies)
    this.brand.set(packed.brand)
    this.category.set(packed.category)
    this.price.set(packed.price)
    this.available.set(packed.available)
    this.updated.set(packed.updated)
    this.currency.set(packed.currency)
    this.slots = n
    for (let slot = 0; slot < n; slot++) {
      const id = packed.ids[slot]!
      if (id === '') this.free.push(slot)
      else {
        this.slotById.set(id, slot)
        this.mapSku(slot, packed.skus[slot]!)
      }
    }
    this.recheckAll()
  }

  private claim(id: string): number {
    const slot = this.free.pop() ?? this.slots++
    if (slot >= this.hidden.length) this.grow(Math.max(slot + 1, this.hidden.length * 2))
    this.ids[slot] = id
    this.slotById.set(id, slot)
    return slot
  }

  private grow(size: number): void {
    this.brand = grown(this.brand, size)
    this.category = grown(this.category, size)
    this.price = grown(this.price, size)
    this.available = grown(this.available, size)
    this.updated = grown(this.updated, size)
    this.currency = grown(this.currency, size)
    this.hidden = grown(this.hidden, size)
  }

  private labelId(label: string): number {
    let id = this.labelIds.get(label)
    if (id === undefined) this.labelIds.set(label, (id = this.labels.push(label) - 1))
    return id
  }

  private currencyId(code: string): number {
    let at = this.currencies.indexOf(code)
    if (at < 0) {
      if (this.currencies.length === 255) throw new Error('more than 255 currencies in one catalogue')
      at = this.currencies.push(code) - 1
    }
    return at
  }

  private recheck(slot: number): void {
    const hide = this.isBanned(this.ids[slot]!, this.skus[slot]!) ? 1 : 0
    this.hiddenCount += hide - this.hidden[slot]!
    this.hidden[slot] = hide
  }

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
}
