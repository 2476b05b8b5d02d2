import {firingAlerts, type AlertList} from './alerts.js'
import {instantQuery, type Sample} from './prometheus-api.js'

/** The window every rate is taken over: four scrapes at the shipped 15 s interval, so one missed scrape does not show as a stall. */
const W = '1m'
const mainTopic = (topic: string) => `job="kafka",cluster="main",topic="${topic}"`
/** MirrorMaker 2's DefaultReplicationPolicy prefixes the source alias (main.filtered-products); an identity policy does not. */
const mirrored = (topic: string) => `topic=~"(.+\\\\.)?${topic}"`
const p99 = (histogram: string, window = W) => `histogram_quantile(0.99, sum by (le) (rate(${histogram}_bucket[${window}])))`
const groupLag = (service: string) => `sum(max by (group, topic) (mkt_consumer_group_lag{service="${service}"}))`

/**
 * Every PromQL query of a snapshot, by what it measures; the names are the
 * ones compose/jmx/*.yml and the workers' registries (src/**\/metrics.ts) export.
 */
export const SNAPSHOT_QUERIES = {
  shopIn: `sum(rate(kafka_server_messages_in_total{${mainTopic('shop-products')}}[${W}]))`,
  filterIn: `sum(rate(mkt_filter_cards_in_total[${W}]))`,
  filterOut: `sum(rate(mkt_filter_cards_passed_total[${W}]))`,
  filterDlq: `sum(rate(mkt_filter_cards_dlq_total[${W}]))`,
  filterLag: groupLag('mkt-filter'),
  mirrorIn: `sum(rate(kafka_server_messages_in_total{${mainTopic('filtered-products')}}[${W}]))`,
  mirrorOut: `sum(rate(kafka_server_messages_in_total{job="kafka",cluster="analytics",${mirrored('filtered-products')}}[${W}]))`,
  mirrorLatencyMs: `max(kafka_connect_mirror_source_replication_latency_ms_max{${mirrored('filtered-products')}})`,
  sinkIn: `sum(rate(kafka_connect_sink_task_sink_record_read[${W}]))`,
  sinkOut: `sum(rate(kafka_connect_sink_task_sink_record_send[${W}]))`,
  sinkActive: `sum(kafka_connect_sink_task_sink_record_active_count)`,
  sinkFailedTasks: `sum(kafka_connect_worker_connector_failed_task_count)`,
  indexerIn: `sum(rate(mkt_search_records_total[${W}]))`,
  indexerLagSeconds: `max(mkt_search_freshness_lag_seconds)`,
  recommendIn: `sum(rate(kafka_server_messages_in_total{${mainTopic('client-recommendations')}}[${W}]))`,
  recommendOut: `sum(rate(mkt_recommend_requests_total[${W}]))`,
  recommendLag: groupLag('mkt-recommender'),
  up: 'up',
  underReplicated: 'kafka_server_replica_manager_under_replicated_partitions{job="kafka"}',
  activeController: 'kafka_controller_active_controller_count{job="kafka"}',
  leaders: 'kafka_server_replica_manager_leaders{job="kafka"}',
  brokerMessagesIn: `sum by (instance) (rate(kafka_server_messages_in_total{job="kafka"}[${W}]))`,
  offlinePartitions: 'max by (cluster) (kafka_controller_offline_partitions_count{job="kafka"})',
  workerCpu: `rate(process_cpu_seconds_total{job="mkt-workers"}[${W}])`,
  workerMemory: 'process_resident_memory_bytes{job="mkt-workers"}',
  searchQps: `sum(rate(mkt_search_queries_total[${W}]))`,
  searchP99: p99('mkt_search_query_seconds'),
  searchFreshnessP99: p99('mkt_search_freshness_seconds', '5m'),
  searchDocuments: 'sum(mkt_search_documents{kind="visible"})',
  recommendP99: p99('mkt_recommend_reply_seconds'),
  recommendTimeouts: 'sum(increase(mkt_recommend_requests_expired_total[5m]))',
} as const

export type SnapshotQuery = keyof typeof SNAPSHOT_QUERIES

export type StageId = 'shop' | 'filter' | 'mirror' | 'connect' | 'indexer' | 'recommender'

/** One stage of the data flow. Rates in records per second; null where Prometheus has no series (the stage does not run, or not yet). */
export interface StageSnapshot {
  id: StageId
  name: string
  inRate: number | null
  outRate: number | null
  /** Records per second to the DLQ (filter). */
  dlqRate?: number | null
  /** Connector tasks in state FAILED (Connect sink). */
  failedTasks?: number | null
  lag: number | null
  lagUnit: 'records' | 'ms' | 's'
}

/** A scrape target: up when Prometheus's last scrape of it succeeded. */
export interface TargetStatus {
  job: string
  service: string
  cluster: string | null
  instance: string
  up: boolean
}

export interface BrokerSnapshot extends TargetStatus {
  underReplicated: number | null
  activeController: boolean | null
  leaders: number | null
  messagesInRate: number | null
}

export interface WorkerSnapshot extends TargetStatus {
  /** CPU seconds per second (1 = one core). */
  cpu: number | null
  memoryBytes: number | null
}

export interface ClusterSnapshot {
  cluster: string
  brokersUp: number
  brokers: number
  /** Brokers that say they are the active controller (1 is healthy). */
  activeControllers: number | null
  underReplicated: number | null
  offlinePartitions: number | null
}

export interface PlatformSnapshot {
  at: string
  prometheusUrl: string
  stages: StageSnapshot[]
  clusters: ClusterSnapshot[]
  brokers: BrokerSnapshot[]
  workers: WorkerSnapshot[]
  /** Every other target: Connect, MirrorMaker 2, Prometheus, Alertmanager. */
  services: TargetStatus[]
  search: {qps: number | null; p99Seconds: number | null; freshnessP99Seconds: number | null; documents: number | null}
  recommend: {rate: number | null; p99Seconds: number | null; timeouts5m: number | null}
  alerts: AlertList
}

function target(s: Sample): TargetStatus {
  return {
    job: s.labels.job ?? '',
    service: s.labels.service ?? s.labels.instance ?? '',
    cluster: s.labels.cluster ?? null,
    instance: s.labels.instance ?? '',
    up: s.value === 1,
  }
}

const byInstance = (samples: Sample[]) => new Map(samples.map((s) => [s.labels.instance ?? '', s.value]))
const first = (samples: Sample[]) => samples[0]?.value ?? null
const order = (a: TargetStatus, b: TargetStatus) =>
  (a.cluster ?? '').localeCompare(b.cluster ?? '') || a.service.localeCompare(b.service, 'en', {numeric: true})

/**
 * One picture of the platform from Prometheus (every query in parallel) and
 * its firing alerts from Alertmanager, or from Prometheus when Alertmanager
 * does not answer. A series Prometheus does not have is null; a Prometheus
 * that does not answer is an MktError naming its URL.
 */
export async function platformSnapshot(prometheusUrl: string, alertmanagerUrl?: string, options: {timeoutMs?: number} = {}): Promise<PlatformSnapshot> {
  const names = Object.keys(SNAPSHOT_QUERIES) as SnapshotQuery[]
  const [alerts, ...results] = await Promise.all([
    firingAlerts({prometheusUrl, ...(alertmanagerUrl ? {alertmanagerUrl} : {}), timeoutMs: options.timeoutMs}),
    ...names.map((name) => instantQuery(prometheusUrl, SNAPSHOT_QUERIES[name], options)),
  ])
  const r = Object.fromEntries(names.map((name, i) => [name, results[i]!])) as Record<SnapshotQuery, Sample[]>
  const v = (name: SnapshotQuery) => first(r[name])

  const targets = r.up.map(target).sort(order)
  const [under, controller, leaders, messagesIn] = [r.underReplicated, r.activeController, r.leaders, r.brokerMessagesIn].map(byInstance)
  const brokers: BrokerSnapshot[] = targets
    .filter((t) => t.job === 'kafka')
    .map((t) => {
      const active = controller!.get(t.instance)
      return {
        ...t,
        underReplicated: under!.get(t.instance) ?? null,
        activeController: active === undefined || active === null ? null : active >= 1,
        leaders: leaders!.get(t.instance) ?? null,
        messagesInRate: messagesIn!.get(t.instance) ?? null,
      }
    })
  const [cpu, memory] = [r.workerCpu, r.workerMemory].map(byInstance)
  const workers: WorkerSnapshot[] = targets
    .filter((t) => t.job === 'mkt-workers')
    .map((t) => ({...t, cpu: cpu!.get(t.instance) ?? null, memoryBytes: memory!.get(t.instance) ?? null}))
  const offline = new Map(r.offlinePartitions.map((s) => [s.labels.cluster ?? '', s.value]))
  const clusters: ClusterSnapshot[] = [...new Set(brokers.map((b) => b.cluster ?? ''))].map((cluster) => {
    const of = brokers.filter((b) => (b.cluster ?? '') === cluster)
    const sum = (values: Array<number | null>) => (values.every((x) => x === null) ? null : values.reduce<number>((n, x) => n + (x ?? 0), 0))
    return {
      cluster,
      brokersUp: of.filter((b) => b.up).length,
      brokers: of.length,
      activeControllers: sum(of.map((b) => (b.activeController === null ? null : Number(b.activeController)))),
      underReplicated: sum(of.map((b) => b.underReplicated)),
      offlinePartitions: offline.get(cluster) ?? null,
    }
  })

  return {
    at: new Date().toISOString(),
    prometheusUrl,
    stages: [
      {id: 'shop', name: 'shop → shop-products', inRate: v('shopIn'), outRate: null, lag: null, lagUnit: 'records'},
      {id: 'filter', name: 'filter', inRate: v('filterIn'), outRate: v('filterOut'), dlqRate: v('filterDlq'), lag: v('filterLag'), lagUnit: 'records'},
      {id: 'mirror', name: 'filtered-products → mirror', inRate: v('mirrorIn'), outRate: v('mirrorOut'), lag: v('mirrorLatencyMs'), lagUnit: 'ms'},
      {
        id: 'connect',
        name: 'connect sink',
        inRate: v('sinkIn'),
        outRate: v('sinkOut'),
        failedTasks: v('sinkFailedTasks'),
        lag: v('sinkActive'),
        lagUnit: 'records',
      },
      {id: 'indexer', name: 'indexer', inRate: v('indexerIn'), outRate: null, lag: v('indexerLagSeconds'), lagUnit: 's'},
      {id: 'recommender', name: 'recommender', inRate: v('recommendIn'), outRate: v('recommendOut'), lag: v('recommendLag'), lagUnit: 'records'},
    ],
    clusters,
    brokers,
    workers,
    services: targets.filter((t) => t.job !== 'kafka' && t.job !== 'mkt-workers'),
    search: {qps: v('searchQps'), p99Seconds: v('searchP99'), freshnessP99Seconds: v('searchFreshnessP99'), documents: v('searchDocuments')},
    recommend: {rate: v('recommendOut'), p99Seconds: v('recommendP99'), timeouts5m: v('recommendTimeouts')},
    alerts,
  }
}
