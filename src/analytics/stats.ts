import type {Profile} from '../config/schema.js'
import {consumeTopic} from '../consume/consume.js'
import {STATS_TOPIC} from './job.js'

/** compose/schemas/category-stats.avsc */
export interface CategoryStats {
  category: string
  product_count: number
  avg_price: number
  min_price: number
  max_price: number
  total_available: number
  top_brands: Array<{brand: string; products: number}>
  computed_at: string
}

/** The latest statistics of every category (the compacted topic read to its end), largest first. */
export async function readCategoryStats(profile: Profile, topic = STATS_TOPIC): Promise<CategoryStats[]> {
  const latest = new Map<string, CategoryStats>()
  await consumeTopic(profile, topic, {
    onRecord: (r) => {
      if (r.key === null) return
      if (r.value === null) latest.delete(r.key)
      else latest.set(r.key, structuredClone(r.value) as CategoryStats) // plain objects, not avsc's record classes
    },
  })
  return [...latest.values()].sort((a, b) => b.product_count - a.product_count || a.category.localeCompare(b.category))
}
