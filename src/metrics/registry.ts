import {collectDefaultMetrics, Gauge, Registry} from 'prom-client'

import type {Profile} from '../config/schema.js'
import {consumerGroupLag} from '../kafka/lag.js'

/**
 * A worker's registry: its own metrics plus prom-client's process metrics
 * (CPU, resident memory, heap, event-loop lag, GC pauses, open handles),
 * every series labelled with the worker.
 */
export function workerRegistry(labels: Record<string, string>): Registry {
  const registry = new Registry()
  registry.setDefaultLabels(labels)
  collectDefaultMetrics({register: registry})
  return registry
}

/** How long a scrape waits for the brokers before it reports the last lag it knew (a broker down must not stall /metrics). */
const LAG_TIMEOUT_MS = 3000
/** Scrapes closer together than this share one measurement. */
const LAG_CACHE_MS = 4000

/**
 * mkt_consumer_group_lag{group, topic}: records of the topic the group has
 * not committed yet, from committed offsets and end offsets — what Kafka
 * itself says, so it also counts what a stuck or dead member holds.
 */
export function groupLagGauge(registry: Registry, profile: Profile, group: string, topic: string): Gauge {
  let last: {at: number; value: number} | undefined
  let pending: Promise<void> | undefined
  const measure = () =>
    (pending ??= consumerGroupLag(profile, group, topic)
      .then((value) => void (last = {at: Date.now(), value}))
      .catch(() => {})
      .finally(() => (pending = undefined)))
  return new Gauge({
    name: 'mkt_consumer_group_lag',
    help: 'Records of the input topic the consumer group has not committed yet (committed offsets vs end offsets)',
    labelNames: ['group', 'topic'],
    registers: [registry],
    async collect() {
      if (!last || Date.now() - last.at > LAG_CACHE_MS) await Promise.race([measure(), new Promise((r) => setTimeout(r, LAG_TIMEOUT_MS).unref())])
      if (last) this.set({group, topic}, last.value)
    },
  })
}
