import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import type {ProgressListener} from '../infra/local-runtime.js'
// The simulator drives both capabilities as a client would: through their public modules only.
import {openRecommendRequests, recommendRequest, REQUESTS_TOPIC} from '../recommend/index.js'
import {loadLocalCatalog, openSearchEvents, parseSearchQuery, SEARCHES_TOPIC, searchEvent, type SearchHit} from '../search/index.js'
import {openViewEvents, viewEvent, VIEWS_TOPIC} from './views.js'
import {seededFaker} from '../seeded-faker.js'

export interface SimulateOptions {
  users: number
  events: number
  seed?: number
  /** Events per second (default: as fast as possible). */
  rate?: number
  topics?: {catalog?: string; searches?: string; views?: string; requests?: string}
  signal?: AbortSignal
  onProgress?: ProgressListener
}

export interface SimulationStats {
  users: number
  events: number
  searches: number
  views: number
  requests: number
  products: number
  seconds: number
}

interface SimulatedUser {
  id: string
  /** Categories the user shops in, the first most. */
  categories: string[]
  /** The most the user pays. */
  maxPrice: number
  lastHits: SearchHit[]
}

/**
 * `mkt client simulate`: users with category and price preferences who
 * search, view what they found (or what their categories offer) and ask for
 * recommendations, through the same event code as `mkt search`, `mkt view`
 * and `mkt recommend`. The same seed gives the same users and actions.
 */
export async function simulateClients(profile: Profile, options: SimulateOptions): Promise<SimulationStats> {
  for (const [name, value] of [
    ['--users', options.users],
    ['--events', options.events],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new MktError(`${name} must be a whole number above 0, got ${value}.`, 'For example --users 50 --events 2000.', 'usage')
  }
  if (options.rate !== undefined && !(options.rate > 0)) throw new MktError(`--rate must be above 0, got ${options.rate}.`, 'For example --rate 100.', 'usage')
  const onProgress = options.onProgress ?? (() => {})
  const started = Date.now()
  onProgress({type: 'start', id: 'catalog', label: 'Loading the catalogue (snapshot + filtered-products)'})
  const {index} = await loadLocalCatalog(profile, {...(options.topics?.catalog ? {topic: options.topics.catalog} : {})})
  const byCategory = new Map<string, SearchHit[]>()
  for (const hit of index.visibleProducts()) byCategory.set(hit.category, [...(byCategory.get(hit.category) ?? []), hit])
  const categories = [...byCategory.keys()].sort()
  if (categories.length === 0)
    throw new MktError(
      'The catalogue is empty: there is nothing for simulated clients to find.',
      'Send cards first (`mkt shop send --file data/products.json`) and run `mkt filter start`.',
      'notFound',
    )
  onProgress({type: 'done', id: 'catalog', detail: `${index.visible} products in ${categories.length} categories`})

  const faker = seededFaker(options.seed ?? 1)
  const users: SimulatedUser[] = Array.from({length: options.users}, (_, i) => {
    const favourite = faker.helpers.arrayElements(categories, {min: 1, max: Math.min(2, categories.length)})
    const prices = byCategory
      .get(favourite[0]!)!
      .map((h) => h.price)
      .sort((a, b) => a - b)
    const median = prices[Math.floor(prices.length / 2)] ?? 1000
    return {
      id: `user-${String(i + 1).padStart(4, '0')}`,
      categories: favourite,
      maxPrice: Math.round(median * faker.number.float({min: 0.8, max: 2.5})),
      lastHits: [],
    }
  })
  // A few users do most of the shopping, as in any shop.
  const activity = users.map((user, i) => ({weight: 1 / (1 + i * 0.05), value: user}))

  const [searches, views, requests] = await Promise.all([
    openSearchEvents(profile, options.topics?.searches ?? SEARCHES_TOPIC),
    openViewEvents(profile, options.topics?.views ?? VIEWS_TOPIC),
    openRecommendRequests(profile, options.topics?.requests ?? REQUESTS_TOPIC),
  ])
  const stats: SimulationStats = {users: options.users, events: 0, searches: 0, views: 0, requests: 0, products: index.visible, seconds: 0}
  try {
    for (let n = 0; n < options.events && !options.signal?.aborted; n++) {
      const user = faker.helpers.weightedArrayElement(activity)
      const category = faker.helpers.weightedArrayElement(user.categories.map((c, i) => ({weight: i === 0 ? 4 : 1, value: c})))
      const action = faker.helpers.weightedArrayElement([
        {weight: 50, value: 'search'},
        {weight: 40, value: 'view'},
        {weight: 10, value: 'recommend'},
      ])
      if (action === 'search' || (action === 'view' && user.lastHits.length === 0 && faker.datatype.boolean())) {
        const product = faker.helpers.arrayElement(byCategory.get(category)!)
        const words = product.name.split(/\s+/).filter((w) => /\p{L}{3,}/u.test(w))
        const text = faker.helpers.arrayElement([
          words[0] ?? product.brand,
          `${words[0] ?? ''} ${product.brand}`.trim(),
          words.slice(0, 2).join(' ') || product.brand,
        ])
        const query = parseSearchQuery({
          text,
          limit: 10,
          ...(faker.datatype.boolean({probability: 0.4}) ? {category} : {}),
          ...(faker.datatype.boolean({probability: 0.3}) ? {maxPrice: user.maxPrice} : {}),
        })
        const before = performance.now()
        const outcome = index.search(query)
        searches.emit(searchEvent(query, outcome, {userId: user.id, latencyMs: performance.now() - before, servedBy: 'local'}))
        user.lastHits = outcome.hits
        stats.searches++
      } else if (action === 'view') {
        const affordable = user.lastHits.filter((h) => h.price <= user.maxPrice)
        const pool = affordable.length > 0 ? affordable : user.lastHits.length > 0 ? user.lastHits : byCategory.get(category)!
        views.emit(viewEvent(user.id, faker.helpers.arrayElement(pool).product_id, 'simulate'))
        stats.views++
      } else {
        requests.emit(recommendRequest({userId: user.id, ...(faker.datatype.boolean() ? {category} : {}), limit: 10}))
        stats.requests++
      }
      stats.events++
      if (n % 500 === 0)
        onProgress({type: 'start', id: 'events', label: `Simulating: ${n.toLocaleString('en')} of ${options.events.toLocaleString('en')} events`})
      if (options.rate !== undefined) {
        const due = started + ((n + 1) * 1000) / options.rate - Date.now()
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due))
      } else if (n % 2000 === 1999) await new Promise((resolve) => setImmediate(resolve)) // let the sinks flush
    }
  } finally {
    await Promise.all([searches.close(), views.close(), requests.close()])
  }
  onProgress({type: 'start', id: 'events', label: `Simulating ${stats.events.toLocaleString('en')} events`})
  onProgress({type: 'done', id: 'events', detail: `${stats.searches} searches, ${stats.views} views, ${stats.requests} recommendation requests`})
  stats.seconds = (Date.now() - started) / 1000
  return stats
}
