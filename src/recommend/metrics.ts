import {Counter, Gauge, Histogram} from 'prom-client'

import {workerRegistry} from '../metrics/registry.js'

/** What `mkt recommend serve` exposes on /metrics. */
export function recommenderMetrics(labels: {worker: string}) {
  const registry = workerRegistry(labels)
  return {
    registry,
    requests: new Counter({
      name: 'mkt_recommend_requests_total',
      help: 'Requests answered, by where the list came from',
      labelNames: ['source'],
      registers: [registry],
    }),
    expired: new Counter({
      name: 'mkt_recommend_requests_expired_total',
      help: 'Requests skipped because their client had long given up',
      registers: [registry],
    }),
    poison: new Counter({name: 'mkt_recommend_requests_invalid_total', help: 'Request records that could not be decoded', registers: [registry]}),
    latency: new Histogram({
      name: 'mkt_recommend_reply_seconds',
      help: "From a request's produce time to its reply being written",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    lists: new Gauge({name: 'mkt_recommend_lists', help: 'Users with a list from Spark', registers: [registry]}),
    products: new Gauge({name: 'mkt_recommend_catalog_products', help: 'Products known and not banned', registers: [registry]}),
  }
}

export type RecommenderMetrics = ReturnType<typeof recommenderMetrics>
