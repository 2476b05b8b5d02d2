import {Counter, Gauge, Histogram} from 'prom-client'

import {workerRegistry} from '../metrics/registry.js'

/** What `mkt filter start` exposes on /metrics. */
export function filterMetrics(labels: {worker: string; mode: string}) {
  const registry = workerRegistry(labels)
  const m = {
    registry,
    cardsIn: new Counter({name: 'mkt_filter_cards_in_total', help: 'Records consumed from the input topic', registers: [registry]}),
    passed: new Counter({name: 'mkt_filter_cards_passed_total', help: 'Cards forwarded to filtered-products', registers: [registry]}),
    banned: new Counter({name: 'mkt_filter_cards_banned_total', help: 'Cards held back by a ban', labelNames: ['by'], registers: [registry]}),
    dlq: new Counter({name: 'mkt_filter_cards_dlq_total', help: 'Poison records sent to the DLQ', registers: [registry]}),
    committed: new Counter({
      name: 'mkt_filter_transactions_committed_total',
      help: 'Committed transactions (EOS) or offset commits (at-least-once)',
      registers: [registry],
    }),
    aborted: new Counter({name: 'mkt_filter_transactions_aborted_total', help: 'Aborted transactions', registers: [registry]}),
    bans: new Gauge({name: 'mkt_filter_ban_table_size', help: 'Bans currently in force', registers: [registry]}),
    latency: new Histogram({
      name: 'mkt_filter_processing_latency_seconds',
      help: "From the card's produce timestamp to the commit of its decision",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  }
  return m
}

export type FilterMetrics = ReturnType<typeof filterMetrics>
