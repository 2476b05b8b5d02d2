import {Counter, Gauge, Histogram} from 'prom-client'

import {workerRegistry} from '../metrics/registry.js'

/** What `mkt index start` exposes on /metrics. */
export function searchMetrics(labels: {worker: string}) {
  const registry = workerRegistry(labels)
  return {
    registry,
    products: new Gauge({
      name: 'mkt_search_documents',
      help: 'Products in the index by state (visible, banned) and distinct texts',
      labelNames: ['kind'],
      registers: [registry],
    }),
    records: new Counter({
      name: 'mkt_search_records_total',
      help: 'Records read from filtered-products by outcome',
      labelNames: ['change'],
      registers: [registry],
    }),
    bans: new Counter({name: 'mkt_search_ban_changes_total', help: 'Bans and unbans applied to the index', labelNames: ['change'], registers: [registry]}),
    queries: new Counter({name: 'mkt_search_queries_total', help: 'Searches answered, by how they matched', labelNames: ['mode'], registers: [registry]}),
    queryErrors: new Counter({name: 'mkt_search_query_errors_total', help: 'Searches refused as invalid', registers: [registry]}),
    latency: new Histogram({
      name: 'mkt_search_query_seconds',
      help: 'Time to answer a search inside the index',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    freshness: new Histogram({
      name: 'mkt_search_freshness_seconds',
      help: "From a card's produce timestamp (shop send) to it being searchable, once caught up",
      buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10],
      registers: [registry],
    }),
    lag: new Gauge({name: 'mkt_search_freshness_lag_seconds', help: 'Age of the newest record indexed when it was indexed', registers: [registry]}),
    eventsDropped: new Counter({
      name: 'mkt_events_dropped_total',
      help: 'Search events not written to client-searches: the queue was full while Kafka could not take them',
      labelNames: ['topic'],
      registers: [registry],
    }),
    snapshots: new Counter({name: 'mkt_search_snapshots_total', help: 'Snapshots written', registers: [registry]}),
    snapshotBytes: new Gauge({name: 'mkt_search_snapshot_bytes', help: 'Size of the last snapshot', registers: [registry]}),
    snapshotSeconds: new Gauge({name: 'mkt_search_snapshot_write_seconds', help: 'Time the last snapshot took to write', registers: [registry]}),
  }
}

export type SearchMetrics = ReturnType<typeof searchMetrics>
