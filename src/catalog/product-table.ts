import type {ProductCard} from './card.js'

/** What a product is to anyone who shows or filters it rather than searches it: the recommender's answers. */
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

/**
 * The latest version of every product of the filtered catalogue, by id,
 * with the live ban list applied at read time: a ban hides a product at once
 * and lifting it shows it again, without re-reading anything. A plain table
 * (no text index): what the recommender needs to check and show products.
 */
export class ProductTable {
  private readonly products = new Map<string, TableProduct>()
  /** SKU → ids (a SKU ban hides every product with it). */
  private readonly bySku = new Map<string, Set<string>>()
  private readonly hidden = new Set<string>()

  constructor(private readonly isBanned: (productId: string, sku: string) => boolean = () => false) {}

  upsert(card: ProductCard): void {
    const previous = this.products.get(card.product_id)
    if (previous && previous.sku !== card.sku) this.unmapSku(card.product_id, previous.sku)
    this.products.set(card.product_id, {
      product_id: card.product_id,
      name: card.name,
      brand: card.brand,
      category: card.category,
      sku: card.sku,
      price: card.price.amount,
      currency: card.price.currency,
      available: card.stock.available - card.stock.reserved,
      updated_at: card.updated_at,
    })
    const ids = this.bySku.get(card.sku) ?? new Set<string>()
    ids.add(card.product_id)
    this.bySku.set(card.sku, ids)
    this.recheck(card.product_id)
  }

  remove(id: string): boolean {
    const product = this.products.get(id)
    if (!product) return false
    this.products.delete(id)
    this.unmapSku(id, product.sku)
    this.hidden.delete(id)
    return true
  }

  /** A ban or unban naming a product id or a SKU: re-evaluates the products it names. */
  banChanged(kind: 'product' | 'sku', target: string): void {
    for (const id of kind === 'product' ? [target] : [...(this.bySku.get(target) ?? [])]) this.recheck(id)
  }

  /** The product, unless it is unknown or banned. */
  get(id: string): TableProduct | undefined {
    return this.hidden.has(id) ? undefined : this.products.get(id)
  }

  /** Products known and not banned. */
  get visible(): number {
    return this.products.size - this.hidden.size
  }

  private recheck(id: string): void {
    const product = this.products.get(id)
    if (product && this.isBanned(id, product.sku)) this.hidden.add(id)
    else this.hidden.delete(id)
  }

  private unmapSku(id: string, sku: string): void {
    const ids = this.bySku.get(sku)
    ids?.delete(id)
    if (ids?.size === 0) this.bySku.delete(sku)
  }
}
