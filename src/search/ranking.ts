import type {ProductTable} from '../catalog/product-table.js'
import type {SearchQuery} from './query.js'

type Order = (a: number, sa: number, b: number, sb: number) => number

/**
 * The best `limit` products of a search in the query's order, kept while
 * the matches stream in (a sorted array of at most limit entries, most
 * matches rejected by one comparison with the worst kept), and how many
 * matched in all.
 */
export class Ranking {
  total = 0
  private readonly slots: number[] = []
  private readonly scores: number[] = []
  private readonly order: Order

  constructor(
    products: ProductTable,
    private readonly query: Pick<SearchQuery, 'sort' | 'limit'>,
  ) {
    const {price, updated, ids} = products
    const byId = (a: number, b: number) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0)
    const orders: Record<SearchQuery['sort'], Order> = {
      relevance: (a, sa, b, sb) => sb - sa || updated[b]! - updated[a]! || byId(a, b),
      'price-asc': (a, sa, b, sb) => price[a]! - price[b]! || sb - sa || byId(a, b),
      'price-desc': (a, sa, b, sb) => price[b]! - price[a]! || sb - sa || byId(a, b),
      newest: (a, sa, b, sb) => updated[b]! - updated[a]! || sb - sa || byId(a, b),
    }
    this.order = orders[query.sort]
  }

  offer(slot: number, score: number): void {
    this.total++
    const {slots, scores, order} = this
    const k = this.query.limit
    if (slots.length === k && order(slot, score, slots[k - 1]!, scores[k - 1]!) >= 0) return
    let lo = 0
    let hi = slots.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (order(slot, score, slots[mid]!, scores[mid]!) < 0) hi = mid
      else lo = mid + 1
    }
    slots.splice(lo, 0, slot)
    scores.splice(lo, 0, score)
    if (slots.length > k) {
      slots.pop()
      scores.pop()
    }
  }

  /** [slot, score] of the best, in order. */
  best(): Array<[number, number]> {
    return this.slots.map((slot, i) => [slot, this.scores[i]!])
  }
}
