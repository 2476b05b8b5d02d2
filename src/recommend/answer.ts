import {normalizeLabel} from '../catalog/label.js'
import type {ProductTable} from '../catalog/product-table.js'
import type {RecommendReply, RecommendRequest, RecommendedProduct} from './request.js'

/** compose/schemas/recommendations.avsc: Spark's list for one user (key * = for anyone else, *:<category> = popular in a category). */
export interface UserRecommendations {
  user_id: string
  items: Array<{product_id: string; score: number}>
  source: string
  model_version: string
  computed_at: string
}

export const EVERYONE = '*'

/** Spark's lists as the compacted topic holds them, with the per-category ones findable by any spelling of the category. */
export class RecommendationLists {
  private readonly lists = new Map<string, UserRecommendations>()
  private readonly byCategory = new Map<string, UserRecommendations>()

  apply(key: string, value: UserRecommendations | null): void {
    const category = key.startsWith('*:') ? normalizeLabel(key.slice(2)) : undefined
    if (value === null) {
      this.lists.delete(key)
      if (category !== undefined) this.byCategory.delete(category)
    } else {
      this.lists.set(key, value)
      if (category !== undefined) this.byCategory.set(category, value)
    }
  }

  forUser(userId: string): UserRecommendations | undefined {
    return userId.startsWith('*') ? undefined : this.lists.get(userId)
  }

  everyone(): UserRecommendations | undefined {
    return this.lists.get(EVERYONE)
  }

  inCategory(normalizedCategory: string): UserRecommendations | undefined {
    return this.byCategory.get(normalizedCategory)
  }

  /** Users with a list of their own. */
  get users(): number {
    return this.lists.size - this.byCategory.size - (this.lists.has(EVERYONE) ? 1 : 0)
  }
}

/**
 * The reply to one request, decided now: the user's list from Spark (else
 * the list for everyone), keeping only products that are known, not banned,
 * in stock and within the request's category and price, topped up from the
 * category's popular list and the list for everyone when filters leave too few.
 */
export function answer(request: RecommendRequest, lists: RecommendationLists, catalog: ProductTable, worker: string): RecommendReply {
  const own = lists.forUser(request.user_id)
  const everyone = lists.everyone()
  const base = own ?? everyone
  const category = request.category === null ? undefined : normalizeLabel(request.category)
  const inCategory = category === undefined ? undefined : lists.inCategory(category)
  const items: RecommendedProduct[] = []
  const taken = new Set<string>()
  for (const list of [own, inCategory, everyone]) {
    for (const item of list?.items ?? []) {
      if (items.length >= request.limit) break
      if (taken.has(item.product_id)) continue
      const product = catalog.get(item.product_id) // undefined when unknown or banned
      if (!product || product.available <= 0) continue
      if (category !== undefined && normalizeLabel(product.category) !== category) continue
      if (request.max_price !== null && product.price > request.max_price) continue
      taken.add(item.product_id)
      items.push({
        product_id: product.product_id,
        name: product.name,
        brand: product.brand,
        category: product.category,
        price: product.price,
        currency: product.currency,
        available: product.available,
        score: item.score,
      })
    }
  }
  return {
    request_id: request.request_id,
    user_id: request.user_id,
    items,
    source: base ? (own ? base.source : 'popular') : 'none',
    model_version: base?.model_version ?? null,
    computed_at: base?.computed_at ?? null,
    answered_at: new Date().toISOString(),
    worker,
  }
}
