import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {connectStatus, countSinkRecords} from '../connect/index.js'
import {consumeTopic, endOffsets} from '../consume/consume.js'
import {FILTER_GROUP, startFilter} from '../filter/worker.js'
import {restartService, signalService} from '../infra/drills.js'
import {waitForGroup} from '../kafka/lag.js'
import {workerLogger} from '../log-structured.js'
import {loadMirrorFlow, mirrorStatus, sendCanary} from '../mirror/index.js'
import {firingAlerts} from '../monitoring/alerts.js'
import {instantQuery} from '../monitoring/prometheus-api.js'
import {fromValues, generateCards, paced, SHOP_TOPIC, sendCards} from '../shop/index.js'
import type {ServicePrincipal} from '../security/principals.js'
import {TOPICS} from '../topics/names.js'
import type {DemoContext, DemoStep} from './demo.js'

/** What the full-stack steps need beyond the main cluster: the analytics cluster, the runtime's state and Connect. */
export interface FullStackContext {
  /** The analytics cluster as the admin, and as a service principal. */
  analytics: DemoContext['profile']
  analyticsAs: (principal: ServicePrincipal) => DemoContext['profile']
  stateDir: string
  brokers: number
  connectUrl: string
  prometheusUrl: string
  alertmanagerUrl: string
}

const KILLED = 'kafka-2'
const CARDS = 20_000

function fullStack(ctx: DemoContext): FullStackContext {
  if (!ctx.fullStack) throw new Error('a full-stack demo step ran on the core stack')
  return ctx.fullStack
}

/** Keys of a topic from the given offsets on, with how often each occurs (read committed). */
async function keysFrom(profile: DemoContext['profile'], topic: string, from: Map<number, bigint>): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  await consumeTopic(profile, topic, {startOffsets: from, onRecord: (r) => counts.set(String(r.key), (counts.get(String(r.key)) ?? 0) + 1)})
  return counts
}

async function mirroredAll(ctx: DemoContext, timeoutMs = 180_000): Promise<void> {
  const flow = loadMirrorFlow()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const rows = await mirrorStatus(ctx.profile, fullStack(ctx).analytics, flow)
    const lag = rows.reduce((sum, r) => sum + r.lag, 0)
    if (lag === 0) return
    if (Date.now() > deadline) throw new Error(`MirrorMaker 2 still has ${lag} records to copy after ${timeoutMs / 1000} s; see mkt mirror status`)
    ctx.onProgress({type: 'start', id: 'mirror', label: `MirrorMaker 2 copying to the analytics cluster: ${lag.toLocaleString('en')} records to go`})
    await sleep(1000)
  }
}

/**
 * Step: 20,000 fresh cards go through the exactly-once filter while a
 * broker is SIGKILLed mid-send and restarted afterwards; then each card is
 * counted in filtered-products, on the analytics cluster and in the sink.
 */
export const brokerKillStep: DemoStep = {
  id: 'brokerKill',
  title: `A broker dies while shops send: ${KILLED} is killed mid-send`,
  async run(
    ctx,
  ): Promise<{sent: number; filtered: number; duplicated: number; mirrored: number; sunk: number; sinkState?: string; killed: string} | {skipped: string}> {
    const full = fullStack(ctx)
    if (full.brokers < 3) {
      ctx.show({title: 'Broker kill skipped: this runtime has one broker', lines: ['`mkt infra up --stack full --brokers 3` can lose one.']})
      return {skipped: 'one broker'}
    }
    // Fresh ids on every run (a new block each second), far above the sample catalogue's and generate's defaults.
    const firstId = 50_000_000 + (Math.floor(Date.now() / 1000) % 100_000) * CARDS
    const ids = new Set(Array.from({length: CARDS}, (_, i) => String(firstId + i)))
    const [shopFrom, catalogFrom, mirrorFrom] = await Promise.all([
      endOffsets(ctx.profile, SHOP_TOPIC),
      endOffsets(ctx.profile, TOPICS.catalog),
      endOffsets(full.analytics, loadMirrorFlow().remoteName(TOPICS.catalog)).catch(() => new Map<number, bigint>()),
    ])
    // Error level: the broker's death is expected here, its warnings would only clutter the demo.
    const worker = await startFilter(ctx.as('filter'), {logger: workerLogger('mkt-demo-filter').child({}, {level: 'error'})})
    let killing: Promise<void> | undefined
    try {
      await worker.ready
      ctx.onProgress({type: 'start', id: 'send', label: `mkt shop send --generate ${CARDS} --rate 4000 (the filter running)`})
      const cards = fromValues(generateCards({count: CARDS, seed: 42, firstId}))
      const stats = await sendCards(ctx.as('shop'), paced(cards, {rate: 4000}), {
        progressIntervalMs: 250,
        onProgress: (s) => {
          if (!killing && s.sent >= CARDS * 0.3) {
            const at = s.sent
            killing = signalService(full.stateDir, KILLED, 'KILL').then(() =>
              ctx.onProgress({type: 'note', message: `mkt infra kill ${KILLED}: SIGKILL after ${at.toLocaleString('en')} acknowledged cards`}),
            )
            killing.catch(() => {}) // awaited after the send
          }
          ctx.onProgress({
            type: 'start',
            id: 'send',
            label: `mkt shop send: ${s.sent.toLocaleString('en')} of ${CARDS.toLocaleString('en')} acknowledged (acks=all)`,
          })
        },
      })
      await killing
      ctx.onProgress({type: 'start', id: 'send', label: `mkt shop send --generate ${CARDS} --rate 4000`})
      ctx.onProgress({type: 'done', id: 'send', detail: `${stats.sent.toLocaleString('en')} acknowledged, ${stats.unacknowledged} not, ${KILLED} down`})
      ctx.onProgress({type: 'start', id: 'catchup', label: 'mkt filter start: catching up on two brokers'})
      await waitForGroup(ctx.profile, FILTER_GROUP, SHOP_TOPIC, {
        onLag: (lag) =>
          ctx.onProgress({type: 'start', id: 'catchup', label: `mkt filter start (exactly once): ${lag.toLocaleString('en')} cards to go on two brokers`}),
      })
      ctx.onProgress({type: 'start', id: 'catchup', label: 'mkt filter start (exactly once), on two brokers'})
      ctx.onProgress({type: 'done', id: 'catchup', detail: `${worker.stats().passed} passed`})
    } finally {
      await worker.stop()
      // Also when a step above failed: the demo never leaves the runtime a broker short.
      if (killing) {
        ctx.onProgress({type: 'start', id: 'restart', label: `mkt infra restart ${KILLED}`})
        await restartService(full.stateDir, KILLED)
        ctx.onProgress({type: 'done', id: 'restart', detail: 'back in the cluster'})
      }
    }

    const [shop, filtered] = await Promise.all([keysFrom(ctx.profile, SHOP_TOPIC, shopFrom), keysFrom(ctx.profile, TOPICS.catalog, catalogFrom)])
    await mirroredAll(ctx)
    ctx.onProgress({type: 'done', id: 'mirror', detail: 'analytics cluster up to date'})
    const mirrored = await keysFrom(full.analytics, loadMirrorFlow().remoteName(TOPICS.catalog), mirrorFrom)
    const ours = (counts: Map<string, number>) => [...counts].filter(([k]) => ids.has(k))
    const once = (counts: Map<string, number>) => ours(counts).filter(([, n]) => n === 1).length
    const {sunk, sinkState} = await sinkHolds(full, ids)
    const row = (where: string, counts: Map<string, number>, guarantee: string) => {
      const mine = ours(counts)
      return [where, mine.length, mine.filter(([, n]) => n > 1).length, guarantee]
    }
    ctx.show({
      title: `${once(filtered).toLocaleString('en')} of ${CARDS.toLocaleString('en')} cards in filtered-products exactly once, although ${KILLED} died mid-send`,
      lines: [
        'acks=all with min.insync.replicas=2 kept every write durable on the two brokers left; the filter commits each card and its offset in one transaction.',
        'Try it yourself: mkt infra kill kafka-3 · mkt shop send --generate 50000 · mkt infra restart kafka-3 · mkt mirror status',
      ],
      table: {
        head: ['where', 'cards', 'written twice', 'guarantee'],
        rows: [
          row(SHOP_TOPIC, shop, 'idempotent producer: once'),
          row(TOPICS.catalog, filtered, 'transactions: exactly once'),
          row(`${loadMirrorFlow().remoteName(TOPICS.catalog)} (analytics)`, mirrored, 'MirrorMaker 2 exactly-once source: once'),
          ['file sink (Connect)', sinkState ? `${sunk} (${sinkState})` : sunk, '—', 'at least once'],
        ],
      },
    })
    return {
      sent: ours(shop).length,
      filtered: once(filtered),
      duplicated: ours(filtered).filter(([, n]) => n > 1).length,
      mirrored: once(mirrored),
      sunk,
      ...(sinkState ? {sinkState} : {}),
      killed: KILLED,
    }
  },
}

/** Cards of the set that the Connect file sink has written, waiting up to a minute for it to catch up. */
async function sinkHolds(full: FullStackContext, ids: Set<string>): Promise<{sunk: number; sinkState?: string}> {
  const file = path.join(full.stateDir, 'sink', `${TOPICS.catalog}.jsonl`)
  const deadline = Date.now() + 60_000
  let found = 0
  while (Date.now() < deadline) {
    const counts = countSinkRecords(file, 'product_id')
    found = [...ids].filter((id) => counts.has(id)).length
    if (found >= ids.size) return {sunk: found}
    await sleep(1000)
  }
  // A shortfall says what Connect reports, so a failed run explains itself.
  const sinkState = await connectStatus(full.connectUrl).then(
    (all) =>
      all
        .filter((c) => c.topics?.split(',').includes(TOPICS.catalog))
        .map((c) => `${c.name} ${c.state}: ${c.tasks.map((t) => `task ${t.id} ${t.state}${t.error ? ` (${t.error})` : ''}`).join(', ')}`)
        .join('; ') || `no connector reads ${TOPICS.catalog}`,
    (error: unknown) => `Connect did not answer: ${error instanceof Error ? error.message : String(error)}`,
  )
  return {sunk: found, sinkState}
}

/** Step: what the mirror and the sink hold: a canary's trip, lag per topic, the connector's tasks. */
export const dataMovementStep: DemoStep = {
  id: 'dataMovement',
  title: 'MirrorMaker 2 feeds the analytics cluster; Kafka Connect writes the catalogue to files',
  async run(ctx): Promise<{canaryMs: number; topics: number; connectors: Array<{name: string; state: string}>}> {
    const full = fullStack(ctx)
    const flow = loadMirrorFlow()
    await mirroredAll(ctx)
    ctx.onProgress({type: 'start', id: 'canary', label: 'mkt mirror status --canary'})
    const canary = await sendCanary(ctx.profile, full.analytics, flow)
    ctx.onProgress({type: 'done', id: 'canary', detail: `${canary.latencyMs} ms main → analytics`})
    const rows = await mirrorStatus(ctx.profile, full.analytics, flow)
    const connectors = await connectStatus(full.connectUrl)
    ctx.show({
      title: `Every mirrored topic is up to date on the analytics cluster; a canary crossed in ${canary.latencyMs} ms`,
      lines: [
        `Connectors: ${connectors.map((c) => `${c.name} ${c.state} (${c.tasks.map((t) => t.state).join(', ')})`).join('; ')}; sink in ${path.join(full.stateDir, 'sink')}`,
        'Try: mkt mirror status · mkt connect status · mkt analytics run --source analytics',
      ],
      table: {head: ['topic', 'on analytics as', 'end offset', 'lag'], rows: rows.map((r) => [r.topic, r.remote, r.targetEnd, r.lag])},
    })
    return {canaryMs: canary.latencyMs, topics: rows.length, connectors: connectors.map((c) => ({name: c.name, state: c.state}))}
  },
}

/** Step: where to watch all of it — Prometheus's targets, what fires, and the live views. */
export const monitoringStep: DemoStep = {
  id: 'monitoring',
  title: 'Prometheus scrapes every service; Alertmanager routes what fires',
  async run(ctx) {
    const {prometheusUrl, alertmanagerUrl} = fullStack(ctx)
    ctx.onProgress({type: 'start', id: 'monitoring', label: 'Asking Prometheus and Alertmanager'})
    const targets = await instantQuery(prometheusUrl, 'up')
    const up = targets.filter((t) => t.value === 1).map((t) => t.labels.service ?? t.labels.instance ?? '?')
    const down = targets.filter((t) => t.value !== 1).map((t) => t.labels.service ?? t.labels.instance ?? '?')
    const alerts = await firingAlerts({alertmanagerUrl, prometheusUrl})
    ctx.onProgress({type: 'done', id: 'monitoring', detail: `${up.length} of ${targets.length} targets up`})
    ctx.show({
      title: `Prometheus scrapes ${up.length} of ${targets.length} targets; ${alerts.alerts.length} alert(s) firing`,
      lines: [
        `up: ${up.sort().join(', ')}${down.length > 0 ? `; down: ${down.sort().join(', ')}` : ''}`,
        ...alerts.alerts.slice(0, 5).map((a) => `firing: ${a.name} (${a.severity ?? 'no severity'}) ${a.summary ?? ''}`.trimEnd()),
        `Watch it live: \`mkt top\` (tab switches views, q quits); \`mkt alerts\` lists what fires.`,
        `Prometheus: ${prometheusUrl}/targets and ${prometheusUrl}/alerts; Alertmanager: ${alertmanagerUrl}`,
      ],
    })
    return {targets: targets.length, up, down, firing: alerts.alerts.map((a) => a.name)}
  },
}
