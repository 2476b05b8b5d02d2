import fs from 'node:fs'
import path from 'node:path'

import {addBans, loadBans, readBanFile} from '../bans/index.js'

import type {ProductCard} from '../catalog/card.js'
import type {Profile} from '../config/schema.js'
import {MktError} from '../errors.js'
import type {ServicePrincipal} from '../security/principals.js'
import {consumeTopic, endOffsets} from '../consume/consume.js'
import {alertmanagerUrl, connectUrl, prometheusUrl, type RuntimeLayout} from '../infra/graph.js'
import {infraUp, type UpOptions} from '../infra/runtime.js'
import {sinkDir} from '../infra/connect-node.js'
import {stopLocalRuntime} from '../infra/local-runtime.js'
import {profileForLayout, type ProgressListener} from '../infra/local-runtime.js'
import {EVENTS_TOPIC, FILTER_GROUP, startFilter} from '../filter/worker.js'
import {waitForGroup} from '../kafka/lag.js'
import {workerLogger} from '../log-structured.js'
import {debug} from '../log.js'
import {packageRoot} from '../package-root.js'
import {formatPrice} from '../ui/table.js'
import {readCategoryStats, runAnalytics, setupPython, type AnalyticsSummary} from '../analytics/index.js'
import {simulateClients, type SimulationStats} from '../client/index.js'
import {askForRecommendations, startRecommender} from '../recommend/index.js'
import {loadMirrorFlow} from '../mirror/index.js'
import {startIndexer, type SearchRequest} from '../search/index.js'
import {openCardFile, SHOP_TOPIC, sendCards, type SendStats} from '../shop/index.js'
import {brokerKillStep, dataMovementStep, monitoringStep, type FullStackContext} from './full-stack.js'
import {gatewayStep} from './gateway-step.js'

/** What one demo step shows the user: a heading, lines of text and tables. */
export interface DemoSection {
  title: string
  lines: string[]
  table?: {head: string[]; rows: Array<Array<string | number>>}
}

export interface DemoContext {
  /** The admin. */
  profile: Profile
  /** The profile of one service principal (the admin on an --insecure runtime): every step acts as the service it shows. */
  as: (principal: ServicePrincipal) => Profile
  secure: boolean
  onProgress: ProgressListener
  show: (section: DemoSection) => void
  /** On the full stack (`--stack full`): the analytics cluster, Connect and the runtime's state for the broker kill. */
  fullStack?: FullStackContext
}

export interface DemoStep {
  id: string
  title: string
  run: (ctx: DemoContext) => Promise<unknown>
}

export function sampleCatalogue(): string {
  return path.join(packageRoot(), 'data', 'products.json')
}

/** Step: the sample catalogue goes in through `shop send`, and we read back what arrived. */
export const sendCatalogueStep: DemoStep = {
  id: 'ingest',
  title: 'Shops send the sample catalogue',
  async run(ctx): Promise<{stats: SendStats; arrived: number}> {
    const file = sampleCatalogue()
    const before = await endOffsets(ctx.profile, SHOP_TOPIC)
    ctx.onProgress({type: 'start', id: 'ingest', label: `mkt shop send --file ${path.relative(process.cwd(), file) || file}`})
    const stats = await sendCards(ctx.as('shop'), (await openCardFile(file)).items)
    ctx.onProgress({type: 'done', id: 'ingest', detail: `${stats.sent} sent, ${stats.rejected} rejected`})

    const arrived: ProductCard[] = []
    await consumeTopic(ctx.profile, SHOP_TOPIC, {startOffsets: before, onRecord: (r) => arrived.push(r.value as ProductCard)})
    const byCategory = new Map<string, ProductCard[]>()
    for (const card of arrived) byCategory.set(card.category, [...(byCategory.get(card.category) ?? []), card])
    ctx.show({
      title: `${arrived.length} cards arrived in ${SHOP_TOPIC} (Avro, decoded through the schema registry)`,
      lines: [`Read back with: mkt consume ${SHOP_TOPIC} --key 12345`],
      table: {
        head: ['category', 'cards', 'from', 'to', 'example'],
        rows: [...byCategory]
          .sort((a, b) => b[1].length - a[1].length)
          .map(([category, cards]) => {
            const prices = cards.map((c) => c.price.amount)
            return [category, cards.length, formatPrice(Math.min(...prices)), formatPrice(Math.max(...prices)), cards[0]!.name]
          }),
      },
    })
    return {stats, arrived: arrived.length}
  },
}

/** Step: two sample products are banned (one by id, one by SKU) and the filter runs; its audit shows why. */
export const filterStep: DemoStep = {
  id: 'filter',
  title: 'Moderators ban two products; the exactly-once filter holds them back',
  async run(ctx): Promise<{passed: number; banned: Array<{product_id: string; decision: string; reason: string}>}> {
    const [byId, bySku] = readBanFile(path.join(packageRoot(), 'data', 'banned.json')).filter(
      (b, i, all) => i === all.findIndex((x) => Boolean(x.productId) === Boolean(b.productId)),
    )
    ctx.onProgress({type: 'start', id: 'bans', label: 'mkt ban add --product-id … / --sku …'})
    await addBans(ctx.profile, [byId!, bySku!])
    ctx.onProgress({type: 'done', id: 'bans', detail: `product:${byId!.productId}, sku:${bySku!.sku}`})

    const auditFrom = await endOffsets(ctx.profile, EVENTS_TOPIC)
    ctx.onProgress({type: 'start', id: 'filter', label: 'mkt filter start (exactly once) until shop-products is consumed'})
    const worker = await startFilter(ctx.as('filter'), {logger: workerLogger('mkt-demo-filter').child({}, {level: 'warn'})})
    try {
      await worker.ready
      let first: number | undefined
      await waitForGroup(ctx.profile, FILTER_GROUP, SHOP_TOPIC, {
        onLag: (lag) => {
          first ??= lag
          if (first > 10_000)
            ctx.onProgress({
              type: 'start',
              id: 'filter',
              label: `mkt filter start (exactly once): ${lag.toLocaleString('en')} of ${first.toLocaleString('en')} earlier cards left to filter`,
            })
        },
      })
    } finally {
      await worker.stop()
    }
    ctx.onProgress({type: 'done', id: 'filter', detail: `${worker.stats().passed} passed, ${worker.stats().banned} banned`})

    const decisions: Array<{product_id: string; decision: string; reason: string; ban_key: string}> = []
    await consumeTopic(ctx.profile, EVENTS_TOPIC, {startOffsets: auditFrom, onRecord: (r) => decisions.push(r.value as (typeof decisions)[number])})
    const banned = decisions.filter((d) => d.decision !== 'PASSED')
    const names = new Map((JSON.parse(fs.readFileSync(sampleCatalogue(), 'utf8')) as ProductCard[]).map((c) => [c.product_id, c.name]))
    ctx.show({
      title: `Audit (filtered-events): ${decisions.length - banned.length} passed to filtered-products, ${banned.length} held back`,
      lines: ['Every decision is one record, committed in the same transaction as the card it is about: mkt consume filtered-events'],
      table: {
        head: ['product', 'name', 'decision', 'ban', 'reason'],
        rows: banned.map((d) => [d.product_id, names.get(d.product_id) ?? '', d.decision, d.ban_key, d.reason]),
      },
    })
    return {passed: decisions.length - banned.length, banned: banned.map((d) => ({product_id: d.product_id, decision: d.decision, reason: d.reason}))}
  },
}

/** Step: the indexer reads the filtered catalogue; a shopper searches with inflected, misspelled and filtered queries. */
export const searchStep: DemoStep = {
  id: 'search',
  title: 'A shopper searches the live catalogue in Russian',
  async run(ctx): Promise<{products: number; searches: Array<{query: string; mode: string; total: number; ids: string[]}>}> {
    ctx.onProgress({type: 'start', id: 'index', label: 'mkt index start (snapshot, then catching up from filtered-products)'})
    const indexer = await startIndexer(ctx.as('indexer'), {logger: workerLogger('mkt-demo-index').child({}, {level: 'warn'})})
    const searches: Array<{query: string; mode: string; total: number; ids: string[]}> = []
    const rows: Array<Array<string | number>> = []
    try {
      await indexer.ready
      ctx.onProgress({type: 'done', id: 'index', detail: `${indexer.health().visible} products searchable`})
      const asks: Array<[string, SearchRequest]> = [
        ['inflected', {text: 'умных часов'}],
        ['misspelled', {text: 'смартфн'}],
        ['filtered', {text: 'наушники', maxPrice: 30_000, sort: 'price-asc'}],
        ['exact SKU', {text: 'XYZ-12345'}],
        ['banned', {text: 'Redmi Note 13'}],
      ]
      for (const [kind, request] of asks) {
        const answer = indexer.search({limit: 3, ...request}, 'demo-shopper')
        searches.push({query: request.text!, mode: answer.mode, total: answer.total, ids: answer.hits.map((h) => h.product_id)})
        const filters = [request.maxPrice !== undefined ? `--max-price ${request.maxPrice}` : '', request.sort ? `--sort ${request.sort}` : '']
          .filter(Boolean)
          .join(' ')
        rows.push([
          `${kind}: "${request.text}"${filters ? ` ${filters}` : ''}`,
          answer.mode,
          answer.total,
          answer.hits.map((h) => `${h.name} (${formatPrice(h.price)})`).join('; ') || '—',
        ])
      }
    } finally {
      await indexer.stop() // leaves a snapshot for the next `mkt search`
    }
    ctx.show({
      title: 'Searches (every one recorded in client-searches)',
      lines: ['Try: mkt search "умных часов" · mkt search смартфн --in-stock · mkt index start (then searches answer in about a millisecond)'],
      table: {head: ['search', 'matched as', 'found', 'top hits'], rows},
    })
    return {products: indexer.health().products, searches}
  },
}

/** Step: simulated shoppers search, view and ask for recommendations. */
export const clientsStep: DemoStep = {
  id: 'clients',
  title: 'Simulated shoppers browse the catalogue',
  async run(ctx): Promise<SimulationStats> {
    const stats = await simulateClients(ctx.as('client'), {users: 40, events: 2000, seed: 7, onProgress: ctx.onProgress})
    ctx.show({
      title: `${stats.users} shoppers made ${stats.events.toLocaleString('en')} events`,
      lines: [
        `${stats.searches} searches → client-searches, ${stats.views} views → client-views, ${stats.requests} recommendation requests → client-recommendations`,
        'Try: mkt client simulate --users 200 --events 20000 · mkt view 12345 --user u42',
      ],
    })
    return stats
  },
}

/** Step: the Spark job computes category statistics and recommendations. */
export const analyticsStep: DemoStep = {
  id: 'analytics',
  title: 'Spark computes category statistics and recommendations',
  async run(ctx): Promise<{summary: AnalyticsSummary; categories: number}> {
    await setupPython(ctx.onProgress) // once per machine: a virtualenv with pyspark
    // On the full stack the job reads the mirrored topics on the analytics cluster (the data movement step waited for them).
    const analytics = ctx.fullStack?.analyticsAs('analytics')
    const source = analytics ? {source: {profile: analytics, remoteName: loadMirrorFlow().remoteName}} : {}
    const summary = await runAnalytics(ctx.as('analytics'), {onProgress: ctx.onProgress, ...source})
    const stats = await readCategoryStats(ctx.as('analytics'))
    ctx.show({
      title: `Category statistics (category-stats), computed at ${summary.computed_at}`,
      lines: [
        ...(analytics ? [`Read from the analytics cluster (${analytics.brokers.join(', ')}), fed by MirrorMaker 2; results written to the main cluster`] : []),
        `Recommendations for ${summary.recommendations} users (${summary.als_users} from implicit ALS over ${summary.interactions} user × product interactions, the rest from popularity) in ${summary.seconds}s; Parquet archive in ${summary.lake}`,
        'Try: mkt analytics stats · mkt analytics run --every 10m',
      ],
      table: {
        head: ['category', 'products', 'avg price', 'from', 'to', 'in stock', 'top brands'],
        rows: stats.map((c) => [
          c.category,
          c.product_count,
          formatPrice(Math.round(c.avg_price)),
          formatPrice(c.min_price),
          formatPrice(c.max_price),
          c.total_available,
          c.top_brands.map((b) => b.brand).join(', '),
        ]),
      },
    })
    return {summary, categories: stats.length}
  },
}

/** Step: the recommender answers a shopper's request over Kafka. */
export const recommendStep: DemoStep = {
  id: 'recommend',
  title: 'A shopper asks for recommendations and waits for the reply',
  async run(ctx): Promise<{user: string; source: string; items: string[]; roundTripMs: number}> {
    ctx.onProgress({type: 'start', id: 'recommender', label: "mkt recommend serve (catalogue, bans and Spark's lists)"})
    const recommender = await startRecommender(ctx.as('recommender'), {logger: workerLogger('mkt-demo-recommender').child({}, {level: 'warn'})})
    try {
      await recommender.ready
      ctx.onProgress({type: 'done', id: 'recommender', detail: `${recommender.health().lists} users with a list`})
      const started = Date.now()
      const {reply} = await askForRecommendations(ctx.as('client'), {userId: 'user-0001', limit: 5}, {wait: true, timeoutMs: 15_000})
      const roundTripMs = Date.now() - started
      ctx.show({
        title: `mkt recommend --user user-0001 --limit 5 --wait → ${reply!.items.length} products from ${reply!.source} in ${roundTripMs} ms`,
        lines: ['Checked at answer time against bans and stock; try: mkt recommend serve, then mkt recommend --user user-0002 --category Электроника --wait'],
        table: {
          head: ['product', 'name', 'category', 'price', 'score'],
          rows: reply!.items.map((i) => [i.product_id, i.name, i.category, formatPrice(i.price), i.score.toFixed(3)]),
        },
      })
      return {user: 'user-0001', source: reply!.source, items: reply!.items.map((i) => i.product_id), roundTripMs}
    } finally {
      await recommender.stop()
    }
  },
}

/** Step: least privilege, shown once allowed and once refused. */
export const securityStep: DemoStep = {
  id: 'security',
  title: 'Each service runs as its own principal',
  async run(ctx): Promise<{secure: boolean; allowed?: string; refused?: string}> {
    if (!ctx.secure) {
      ctx.show({
        title: 'This runtime is insecure (--insecure): no TLS, no authentication, no ACLs',
        lines: ['`mkt infra up` without --insecure starts a secure one.'],
      })
      return {secure: false}
    }
    const shopper = ctx.as('client')
    ctx.onProgress({type: 'start', id: 'security', label: 'mkt ban list (as client), then mkt ban add (as client)'})
    const bans = (await loadBans(shopper)).list()
    let refused: string
    try {
      await addBans(shopper, [{productId: 'demo-not-allowed', reason: 'a shopper may not ban'}])
      throw new Error('the client principal was allowed to write the ban list')
    } catch (error) {
      if (!(error instanceof MktError) || error.code !== 'denied') throw error
      refused = error.message
    }
    ctx.onProgress({type: 'done', id: 'security', detail: 'one allowed, one refused'})
    const allowed = `client read the ban list (${bans.length} ban(s)): compose/acls.yaml lets it read banned-products`
    ctx.show({
      title: 'TLS + SCRAM-SHA-512, and ACLs: only what compose/acls.yaml allows',
      lines: [`allowed: ${allowed}`, `refused: ${refused}`, 'Only the admin writes the ban list and creates topics; `mkt acl list` shows every grant.'],
    })
    return {secure: true, allowed, refused}
  },
}

/** The demo, in order; each capability adds its step here. The full stack adds the broker kill and the data movement before Spark. */
export const DEMO_STEPS: DemoStep[] = [sendCatalogueStep, securityStep, filterStep, searchStep, clientsStep, analyticsStep, recommendStep, gatewayStep]
const FULL_STACK_STEPS: DemoStep[] = [brokerKillStep, dataMovementStep]

function stepsFor(stack: 'core' | 'full'): DemoStep[] {
  if (stack === 'core') return DEMO_STEPS
  const at = DEMO_STEPS.indexOf(analyticsStep)
  return [...DEMO_STEPS.slice(0, at), ...FULL_STACK_STEPS, ...DEMO_STEPS.slice(at), monitoringStep]
}

export interface DemoOptions {
  up: Omit<UpOptions, 'onProgress'>
  /** Leave the runtime running at the end (it always stays when it was running before the demo). */
  keep?: boolean
  onProgress: ProgressListener
  show: (section: DemoSection) => void
}

export interface DemoResult {
  profile: Profile
  steps: Record<string, unknown>
  /** Seconds each step took, by step id (the runtime's start as "runtime"). */
  seconds: Record<string, number>
  /** Whether the runtime is still running: it was before the demo, or --keep. */
  kept: boolean
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  // DEBUG=mkt:demo traces every step with a timestamp, also under --json where progress is silent.
  const onProgress: ProgressListener = (event) => {
    debug('mkt:demo', event.type, event)
    options.onProgress(event)
  }
  const timings: Record<string, number> = {}
  const startedAt = Date.now()
  const up = await infraUp({...options.up, onProgress})
  timings.runtime = seconds(startedAt)
  const profile = profileForLayout(up.state.layout, up.profileName)
  options.show({
    title: `${up.alreadyRunning ? 'The local runtime was already running' : 'Local runtime started'} (${timings.runtime}s)`,
    lines: [
      `Kafka ${profile.brokers.join(', ')} (${up.state.layout.brokers} broker(s), KRaft), schema registry ${profile.schemaRegistry.url}`,
      ...(up.state.layout.stack === 'full'
        ? [
            `Full stack: analytics cluster ${profileForLayout(up.state.layout, 'x', 'admin', 'analytics').brokers.join(', ')}, MirrorMaker 2, Kafka Connect ${connectUrl(up.state.layout)}, Prometheus ${prometheusUrl(up.state.layout)}, Alertmanager ${alertmanagerUrl(up.state.layout)}`,
          ]
        : []),
      `Profile "${up.profileName}" written; state in ${up.state.layout.stateDir}`,
    ],
  })
  const {layout} = up.state
  const keep = options.keep === true || up.alreadyRunning
  const ctx: DemoContext = {
    profile,
    as: (principal) => profileForLayout(layout, `${up.profileName}:${principal}`, principal),
    secure: layout.security === 'sasl_ssl',
    onProgress,
    show: (section) => options.show(section),
    ...(layout.stack === 'full'
      ? {
          fullStack: {
            analytics: profileForLayout(layout, `${up.profileName}-analytics`, 'admin', 'analytics'),
            analyticsAs: (principal) => profileForLayout(layout, `${up.profileName}-analytics:${principal}`, principal, 'analytics'),
            stateDir: layout.stateDir,
            brokers: layout.brokers,
            connectUrl: connectUrl(layout),
            prometheusUrl: prometheusUrl(layout),
            alertmanagerUrl: alertmanagerUrl(layout),
          },
        }
      : {}),
  }
  const steps: Record<string, unknown> = {}
  try {
    for (const step of stepsFor(layout.stack)) {
      debug('mkt:demo', `step ${step.id}`)
      const stepStarted = Date.now()
      // Each step's sections carry how long the step took.
      const shown: DemoSection[] = []
      ctx.show = (section) => shown.push(section)
      try {
        steps[step.id] = await step.run(ctx)
      } catch (error) {
        for (const section of shown) options.show(section)
        throw stepFailed(step, error, keep)
      }
      timings[step.id] = seconds(stepStarted)
      for (const [i, section] of shown.entries()) options.show(i === 0 ? {...section, title: `${section.title} (${timings[step.id]}s)`} : section)
    }
    options.show(whereNext(layout, up.profileName, keep))
  } finally {
    if (!keep) {
      debug('mkt:demo', 'stopping the runtime it started')
      await stopLocalRuntime(layout.stateDir, {onProgress})
    }
  }
  debug('mkt:demo', 'done')
  return {profile, steps, seconds: timings, kept: keep}
}

/** A step's failure as the demo reports it: which step, why, and how to go on. */
function stepFailed(step: DemoStep, error: unknown, kept: boolean): MktError {
  const cause = error instanceof MktError ? error : undefined
  const message = error instanceof Error ? error.message : String(error)
  return new MktError(
    `The demo stopped at "${step.title}": ${message}`,
    `${cause?.suggestion ? `${cause.suggestion} ` : ''}Then run \`mkt demo\` again${kept ? ': it reuses the running runtime' : ''}; DEBUG=mkt:demo traces each step.`,
    cause?.code ?? 'internal',
    {cause: error},
  )
}

/** The last section: what to try next, on what this demo leaves behind. */
function whereNext(layout: RuntimeLayout, profileName: string, kept: boolean): DemoSection {
  const full = layout.stack === 'full'
  return {
    title: 'Where to look next',
    lines: [
      kept
        ? `The runtime keeps running (profile "${profileName}"); \`mkt infra down\` stops it, \`mkt infra status\` lists its services.`
        : 'The demo stopped the runtime it started (its data is kept): `mkt demo --keep` leaves it running, `mkt infra up` starts it again.',
      'Workers: `mkt filter start`, `mkt index start`, `mkt recommend serve`, `mkt gateway start` (each in a terminal of its own; Ctrl-C stops it).',
      'Then: `mkt search "умных часов"`, `mkt recommend --user user-0002 --wait`, `mkt analytics stats`, `mkt consume filtered-events -n 5` (the ban audit), `mkt topics list`.',
      full
        ? `Live: \`mkt top\` (from Prometheus ${prometheusUrl(layout)}), \`mkt alerts\`, \`mkt mirror status\`, \`mkt connect status\`; the file sink writes ${sinkDir(layout.stateDir)}/filtered-products.jsonl; \`mkt infra hdfs -ls -R /mkt/lake\` lists the lake.`
        : 'The full stack adds monitoring (`mkt top`, Prometheus, Alertmanager), MirrorMaker 2, the Connect file sink, Spark and HDFS: `mkt demo --stack full`.',
      `HTTP: \`mkt gateway keys create --name web --role storefront\`, then \`mkt gateway start\` serves the APIs and their docs at http://127.0.0.1:9440/docs.`,
    ],
  }
}
