import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'

import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import {Histogram, type Registry, Summary} from 'prom-client'
import {createGenerator} from 'ts-json-schema-generator'
import ts from 'typescript'
import {beforeAll, describe, expect, it} from 'vitest'
import YAML from 'yaml'

import type {Profile} from '../../src/config/schema.js'
import {filterMetrics} from '../../src/filter/metrics.js'
import {groupLagGauge, workerRegistry} from '../../src/metrics/registry.js'
import {
  type Dashboard,
  type DashboardPanel,
  type DashboardQuery,
  type DashboardVariable,
  dashboardPanels,
  dashboardQueries,
  interpolateDashboardExpr,
  loadDashboards,
} from '../../src/monitoring/index.js'
import {recommenderMetrics} from '../../src/recommend/metrics.js'
import {searchMetrics} from '../../src/search/metrics.js'

const root = path.resolve(import.meta.dirname, '../..')
const dashboardsDir = path.join(root, 'compose/grafana/dashboards')
const provisioning = path.join(root, 'compose/grafana/provisioning')
const FILES = ['kafka-cluster.json', 'mirror-connect.json', 'pipeline.json', 'processes.json']
const DATASOURCE = {type: 'prometheus', uid: 'prometheus'}

// ---------------------------------------------------------------- Grafana's schema

/**
 * Grafana's dashboard schema as @grafana/schema publishes it: TypeScript
 * types Grafana generates from its CUE kinds (the dashboard kind, each
 * panel plugin's options and field config, the Prometheus query), turned
 * into JSON Schema with ts-json-schema-generator. Objects are closed
 * (additionalProperties: false), so a misspelt field fails as a wrong type
 * does. 10.4.19 is the line whose dashboards are schemaVersion 39; its
 * dashboard kind is the same as Grafana 11.0's.
 */
interface GrafanaValidators {
  dashboard: ValidateFunction
  /** The two kinds of the dashboard's panels (Panel | RowPanel), to report a panel's errors against the one it is. */
  panel: ValidateFunction
  row: ValidateFunction
  panels: Record<string, {options: ValidateFunction; fieldConfig?: ValidateFunction}>
  query: ValidateFunction
}

function grafanaValidators(): GrafanaValidators {
  const raw = path.join(path.dirname(createRequire(import.meta.url).resolve('@grafana/schema/package.json')), 'dist/esm/raw')
  const files = {
    dashboard: 'dashboard/x/dashboard_types.gen.d.ts',
    timeseries: 'composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen.d.ts',
    stat: 'composable/stat/panelcfg/x/StatPanelCfg_types.gen.d.ts',
    table: 'composable/table/panelcfg/x/TablePanelCfg_types.gen.d.ts',
    prometheus: 'composable/prometheus/dataquery/x/PrometheusDataQuery_types.gen.d.ts',
  }
  const program = ts.createProgram(
    Object.values(files).map((file) => path.join(raw, file)),
    {module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, types: [], lib: ['lib.es2022.d.ts']},
  )
  const diagnostics = ts.getPreEmitDiagnostics(program)
  if (diagnostics.length > 0) throw new Error(`@grafana/schema does not type-check: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n')}`)
  const generator = createGenerator({tsProgram: program, skipTypeCheck: true, additionalProperties: false})
  const ajv = new Ajv({allErrors: true, strict: true, allowUnionTypes: true})
  const compile = (file: keyof typeof files, type: string): ValidateFunction => {
    const node = program
      .getSourceFile(path.join(raw, files[file]))!
      .statements.find((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === type)
    if (!node) throw new Error(`${type} is not declared in @grafana/schema's ${files[file]}`)
    return ajv.compile(generator.createSchemaFromNodes([node]))
  }
  return {
    dashboard: compile('dashboard', 'Dashboard'),
    panel: compile('dashboard', 'Panel'),
    row: compile('dashboard', 'RowPanel'),
    panels: {
      timeseries: {options: compile('timeseries', 'Options'), fieldConfig: compile('timeseries', 'FieldConfig')},
      stat: {options: compile('stat', 'Options')},
      table: {options: compile('table', 'Options'), fieldConfig: compile('table', 'FieldConfig')},
    },
    query: compile('prometheus', 'PrometheusDataQuery'),
  }
}

function ajvErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (e) => `${where}${e.instancePath} ${e.message}${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`,
  )
}

function schemaProblems(v: GrafanaValidators, dashboard: unknown): string[] {
  const problems: string[] = []
  const name = (dashboard as Dashboard).uid
  if (!v.dashboard(dashboard)) {
    // A panel that fails is reported against the branch of Panel | RowPanel its type says it is, rather than as both.
    problems.push(
      ...ajvErrors(
        `${name}: dashboard`,
        v.dashboard.errors?.filter((e) => !/^\/panels\/\d+(\/|$)/.test(e.instancePath)),
      ),
    )
  }
  if (!Array.isArray((dashboard as Dashboard).panels)) return problems
  ;(dashboard as Dashboard).panels.forEach((panel, i) => {
    const kind = panel.type === 'row' ? v.row : v.panel
    if (!kind(panel)) problems.push(...ajvErrors(`${name}: dashboard/panels/${i}`, kind.errors))
  })
  for (const panel of dashboardPanels(dashboard as Dashboard)) {
    if (panel.type === 'row') continue // wholly described by the dashboard kind's RowPanel
    const where = `${name}: panel ${panel.id} "${panel.title}"`
    const plugin = v.panels[panel.type]
    if (!plugin) {
      problems.push(`${where}: panel type ${panel.type} is not one whose schema is checked here (${Object.keys(v.panels).join(', ')})`)
      continue
    }
    if (!plugin.options(panel.options)) problems.push(...ajvErrors(`${where} options`, plugin.options.errors))
    const custom = (panel.fieldConfig as {defaults?: {custom?: unknown}} | undefined)?.defaults?.custom
    if (plugin.fieldConfig) {
      if (custom !== undefined && !plugin.fieldConfig(custom)) problems.push(...ajvErrors(`${where} fieldConfig.defaults.custom`, plugin.fieldConfig.errors))
    } else if (custom !== undefined && Object.keys(custom as object).length > 0) problems.push(`${where}: a ${panel.type} panel has no custom field config`)
    for (const target of panel.targets ?? []) {
      const refId = target.refId
      if (!v.query(target)) problems.push(...ajvErrors(`${where} target ${refId}`, v.query.errors))
    }
  }
  return problems
}

// ---------------------------------------------------------------- our own rules for the dashboards

const BUILT_IN_VARIABLES = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms'])
const VARIABLE_REFERENCE = /\$(\w+)|\[\[(\w+)(?::\w+)?\]\]|\$\{(\w+)(?::[^}]+)?\}/g
const LABEL_VALUES = /^label_values\((.+),\s*([a-zA-Z_]\w*)\s*\)$/

function variableQuery(variable: DashboardVariable): string {
  const query = variable['query']
  return typeof query === 'string' ? query : String((query as {query?: unknown} | undefined)?.query ?? '')
}

type GridPos = {x: number; y: number; w: number; h: number}

function overlaps(panels: DashboardPanel[]): string[] {
  const problems: string[] = []
  panels.forEach((a, i) =>
    panels.slice(i + 1).forEach((b) => {
      const p = a['gridPos'] as GridPos
      const q = b['gridPos'] as GridPos
      if (p && q && p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) problems.push(`panels ${a.id} and ${b.id} overlap`)
    }),
  )
  return problems
}

function structureProblems(dashboard: Dashboard): string[] {
  const problems: string[] = []
  const at = (panel: DashboardPanel) => `${dashboard.uid}: panel ${panel.id} "${panel.title}"`
  if (dashboard.schemaVersion !== 39) problems.push(`${dashboard.uid}: schemaVersion ${dashboard.schemaVersion}, not 39`)
  if (!/^[a-zA-Z0-9_-]{1,40}$/.test(dashboard.uid ?? '')) problems.push(`uid ${dashboard.uid}: Grafana wants 1 to 40 letters, digits, - or _`)
  if (!dashboard.title) problems.push(`${dashboard.uid}: no title`)
  const panels = dashboardPanels(dashboard)
  const ids = panels.map((p) => p.id)
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push(`${dashboard.uid}: panel id ${id} is used twice`)
  const titles = panels.filter((p) => p.type !== 'row').map((p) => p.title)
  for (const title of new Set(titles.filter((t, i) => titles.indexOf(t) !== i))) problems.push(`${dashboard.uid}: two panels are titled "${title}"`)
  const variables = dashboard.templating?.list ?? []
  for (const panel of panels) {
    if (JSON.stringify(panel.datasource) !== JSON.stringify(DATASOURCE)) problems.push(`${at(panel)}: datasource ${JSON.stringify(panel.datasource)}`)
    const grid = panel['gridPos'] as GridPos | undefined
    if (!grid) problems.push(`${at(panel)}: no gridPos`)
    else if (![grid.x, grid.y, grid.w, grid.h].every(Number.isInteger) || grid.w < 1 || grid.h < 1 || grid.x < 0 || grid.x + grid.w > 24)
      problems.push(`${at(panel)}: gridPos ${JSON.stringify(grid)} is not inside the 24 columns`)
    if (panel.type === 'row') {
      if (panel.targets?.length) problems.push(`${at(panel)}: a row has no queries`)
      continue
    }
    if (!panel.title) problems.push(`${at(panel)}: no title`)
    const targets = panel.targets ?? []
    if (targets.length === 0) problems.push(`${at(panel)}: no targets`)
    const refIds = targets.map((t) => t.refId)
    if (new Set(refIds).size !== refIds.length) problems.push(`${at(panel)}: refIds ${refIds.join(',')} repeat`)
    for (const target of targets) {
      if (JSON.stringify(target.datasource) !== JSON.stringify(DATASOURCE))
        problems.push(`${at(panel)} target ${target.refId}: datasource ${JSON.stringify(target.datasource)}`)
      for (const [, a, b, c] of String(target.expr ?? '').matchAll(VARIABLE_REFERENCE)) {
        const name = (a ?? b ?? c)!
        if (!BUILT_IN_VARIABLES.has(name) && !variables.some((v) => v.name === name)) problems.push(`${at(panel)} target ${target.refId}: no variable $${name}`)
      }
    }
  }
  problems.push(...overlaps(dashboard.panels).map((p) => `${dashboard.uid}: ${p}`))
  for (const row of dashboard.panels) if (row.panels?.length) problems.push(...overlaps(row.panels).map((p) => `${dashboard.uid}: row ${row.id}: ${p}`))
  for (const variable of variables) {
    if (JSON.stringify(variable['datasource']) !== JSON.stringify(DATASOURCE))
      problems.push(`${dashboard.uid}: variable ${variable.name}: datasource ${JSON.stringify(variable['datasource'])}`)
    if (variable.type === 'query' && !LABEL_VALUES.test(variableQuery(variable)))
      problems.push(`${dashboard.uid}: variable ${variable.name}: query ${variableQuery(variable)} is not label_values(selector, label)`)
  }
  return problems
}

// ---------------------------------------------------------------- the metrics that exist here

/** Labels every target carries: Prometheus's own, and cluster and service from file-based service discovery. */
const TARGET_LABELS = ['job', 'instance', 'cluster', 'service']

/**
 * What the Prometheus JMX exporter java agent 1.0.1 exports besides the
 * rules' metrics (read from a running agent: GET /metrics of a JVM started
 * with it and no rules), and what Prometheus and Alertmanager export about
 * themselves.
 */
const EXPORTER_METRICS: Record<string, string[]> = {
  jvm_memory_used_bytes: ['area'],
  jvm_memory_committed_bytes: ['area'],
  jvm_memory_max_bytes: ['area'],
  jvm_memory_pool_used_bytes: ['pool'],
  jvm_gc_collection_seconds_count: ['gc'],
  jvm_gc_collection_seconds_sum: ['gc'],
  jvm_threads_current: [],
  jvm_threads_daemon: [],
  jvm_threads_state: ['state'],
  jvm_classes_currently_loaded: [],
  process_cpu_seconds_total: [],
  process_resident_memory_bytes: [],
  process_open_fds: [],
  process_max_fds: [],
  process_start_time_seconds: [],
  up: [],
  prometheus_tsdb_head_series: [],
  alertmanager_alerts: ['state'],
}

/** A metric name or a pattern of names (a rule capturing `(.+)` into its name), with the labels its series carry. */
type Inventory = Array<{name: string | RegExp; labels: Set<string>}>

/** The mkt workers' registries, built as the workers build them: every metric with its label names, histograms as their series. */
function promClientMetrics(): Inventory {
  const registries: Array<[Registry, string[]]> = [
    [filterMetrics({worker: 'w', mode: 'eos'}).registry, ['worker', 'mode']],
    [searchMetrics({worker: 'w'}).registry, ['worker']],
    [recommenderMetrics({worker: 'w'}).registry, ['worker']],
  ]
  const lag = workerRegistry({worker: 'w'})
  groupLagGauge(lag, {} as Profile, 'group', 'topic') // never scraped here, so it never asks Kafka
  registries.push([lag, ['worker']])
  return registries.flatMap(([registry, defaults]) =>
    registry.getMetricsAsArray().flatMap((metric) => {
      const m = metric as unknown as {name: string; labelNames?: string[]}
      const labels = new Set([...(m.labelNames ?? []), ...defaults])
      if (metric instanceof Histogram)
        return [
          {name: `${m.name}_bucket`, labels: new Set([...labels, 'le'])},
          {name: `${m.name}_sum`, labels},
          {name: `${m.name}_count`, labels},
        ]
      if (metric instanceof Summary)
        return [
          {name: m.name, labels: new Set([...labels, 'quantile'])},
          {name: `${m.name}_sum`, labels},
          {name: `${m.name}_count`, labels},
        ]
      return [{name: m.name, labels}]
    }),
  )
}

/** The n-th capturing group of a rule's pattern. */
function captureGroup(pattern: string, n: number): string | undefined {
  let count = 0
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++
    else if (pattern[i] === '(' && pattern[i + 1] !== '?' && ++count === n) {
      let depth = 0
      for (let j = i; j < pattern.length; j++) {
        if (pattern[j] === '\\') j++
        else if (pattern[j] === '(') depth++
        else if (pattern[j] === ')' && --depth === 0) return pattern.slice(i + 1, j)
      }
    }
  }
  return undefined
}

/**
 * The names the JMX exporter rules in compose/jmx/ give their metrics, as
 * the agent 1.0.1 writes them: `$n` replaced by what the n-th group of the
 * pattern can capture, lowercased, characters outside [a-zA-Z0-9:_] made
 * `_`, and a GAUGE's trailing `_total` dropped (the agent reserves it for
 * counters: a gauge named x_total is served as x).
 */
function jmxRuleMetrics(): Inventory {
  return ['kafka.yml', 'connect.yml'].flatMap((file) => {
    const config = YAML.parse(fs.readFileSync(path.join(root, 'compose/jmx', file), 'utf8')) as {
      lowercaseOutputName?: boolean
      rules: Array<{pattern: string; name: string; type?: string; labels?: Record<string, string>}>
    }
    return config.rules
      .map((rule) => {
        let names = [rule.name]
        let wildcard = false
        for (const [ref, n] of rule.name.matchAll(/\$(\d+)/g)) {
          const group = captureGroup(rule.pattern, Number(n))
          const choices = group?.split('|')
          if (choices?.every((c) => /^[\w-]+$/.test(c))) names = names.flatMap((name) => choices.map((c) => name.replace(ref, c)))
          else {
            names = names.map((name) => name.replace(ref, '@'))
            wildcard = true
          }
        }
        const sanitise = (name: string) => {
          const safe = (config.lowercaseOutputName ? name.toLowerCase() : name).replace(/[^a-zA-Z0-9:_@]/g, '_').replace(/_+/g, '_')
          return rule.type === 'GAUGE' || rule.type === 'UNTYPED' ? safe.replace(/_total$/, '') : safe
        }
        const labels = new Set(Object.keys(rule.labels ?? {}))
        return names.map(sanitise).map((name) => ({
          name: wildcard ? new RegExp(`^${name.split('@').join('[a-z0-9_:]+')}$`) : name,
          labels,
        }))
      })
      .flat()
  })
}

function inventory(): Inventory {
  return [...promClientMetrics(), ...jmxRuleMetrics(), ...Object.entries(EXPORTER_METRICS).map(([name, labels]) => ({name, labels: new Set(labels)}))]
}

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'])

/**
 * The metric names an expression reads, the labels its selectors match on
 * and the labels it groups or matches by. (promtool checks the syntax; this
 * only has to find the names in an expression that parses.)
 */
function promqlNames(expr: string): {metrics: string[]; selectorLabels: Array<[string, string]>; groupingLabels: string[]} {
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
  const groupingLabels: string[] = []
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, list: string) => {
    groupingLabels.push(
      ...list
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean),
    )
    return ' '
  })
  const metrics: string[] = []
  const selectorLabels: Array<[string, string]> = []
  rest = rest.replace(/([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g, (_, name: string | undefined, body: string) => {
    if (name) metrics.push(name)
    for (const [, label] of body.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) selectorLabels.push([name ?? '', label!])
    return ' '
  })
  rest = rest.replace(/\[[^\]]*\]/g, ' ')
  for (const [, word] of rest.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) if (!PROMQL_KEYWORDS.has(word!.toLowerCase())) metrics.push(word!)
  return {metrics, selectorLabels, groupingLabels}
}

function metricProblems(known: Inventory, where: string, expr: string): string[] {
  const find = (name: string) => known.filter((k) => (typeof k.name === 'string' ? k.name === name : k.name.test(name)))
  const {metrics, selectorLabels, groupingLabels} = promqlNames(expr)
  const problems: string[] = []
  const labelsOf = (name: string) => new Set([...TARGET_LABELS, ...find(name).flatMap((k) => [...k.labels])])
  for (const name of new Set(metrics)) if (find(name).length === 0) problems.push(`${where}: no metric ${name} is exported here`)
  for (const [name, label] of selectorLabels)
    if (name && find(name).length > 0 && !labelsOf(name).has(label)) problems.push(`${where}: ${name} has no label ${label}`)
  const inExpr = new Set(metrics.flatMap((name) => [...labelsOf(name)]))
  for (const label of new Set(groupingLabels)) if (!inExpr.has(label)) problems.push(`${where}: no metric of the expression has the label ${label}`)
  return problems
}

// ---------------------------------------------------------------- PromQL syntax, by promtool

/** Every expression as a recording rule of its own group, named after its panel, through `promtool check rules` (which parses each); the errors, by group. */
function promtoolProblems(queries: Array<Pick<DashboardQuery, 'dashboard' | 'panel' | 'refId' | 'expr'>>): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-dashboards-'))
  const file = path.join(dir, 'dashboard-queries.yml')
  const groups = queries.map((q, i) => ({
    name: `${i + 1} ${q.dashboard} / ${q.panel} / ${q.refId}`,
    rules: [{record: `mkt:dashboard_query_${i + 1}`, expr: q.expr}],
  }))
  fs.writeFileSync(file, YAML.stringify({groups}))
  try {
    const out = execFileSync('promtool', ['check', 'rules', file], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
    if (!out.includes(`SUCCESS: ${queries.length} rules found`)) return [`promtool: ${out}`]
    return []
  } catch (error) {
    const e = error as {code?: string; stdout?: string; stderr?: string}
    if (e.code === 'ENOENT') throw new Error('promtool is not installed: sudo apt-get install -y prometheus', {cause: error})
    return `${e.stdout ?? ''}\n${e.stderr ?? ''}`
      .split('\n')
      .filter((line) => line.includes('group "'))
      .map((line) => line.slice(line.indexOf('group "')))
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

/** The queries of a dashboard's variables (label_values' selectors) and of its panels, as Prometheus would get them. */
function allQueries(dashboard: Dashboard): DashboardQuery[] {
  const variables = (dashboard.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => ({
      dashboard: dashboard.uid,
      panel: `variable ${v.name}`,
      refId: 'label_values',
      expr: variableQuery(v).match(LABEL_VALUES)?.[1] ?? variableQuery(v),
    }))
  return [...variables, ...dashboardQueries(dashboard)]
}

function variableLabelProblems(known: Inventory, dashboard: Dashboard): string[] {
  return (dashboard.templating?.list ?? []).flatMap((v) => {
    const match = variableQuery(v).match(LABEL_VALUES)
    if (!match) return []
    const [, selector, label] = match
    const problems = metricProblems(known, `${dashboard.uid}: variable ${v.name}`, selector!)
    const labels = new Set([
      ...TARGET_LABELS,
      ...promqlNames(selector!).metrics.flatMap((m) => known.filter((k) => k.name === m).flatMap((k) => [...k.labels])),
    ])
    if (!labels.has(label!)) problems.push(`${dashboard.uid}: variable ${v.name}: ${selector} has no label ${label}`)
    return problems
  })
}

// ---------------------------------------------------------------- the tests

describe('the provisioned Grafana dashboards (compose/grafana)', () => {
  let grafana: GrafanaValidators
  let known: Inventory
  const dashboards = loadDashboards()

  beforeAll(() => {
    grafana = grafanaValidators()
    known = inventory()
  }, 120_000)

  it('are the four dashboards, each with its own uid and title', () => {
    expect(
      fs
        .readdirSync(dashboardsDir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(FILES)
    expect(dashboards).toHaveLength(4)
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(4)
    expect(new Set(dashboards.map((d) => d.title)).size).toBe(4)
  })

  it("pass Grafana's dashboard schema: the dashboard kind, each panel type's options and field config, every Prometheus query", () => {
    for (const dashboard of dashboards) expect(schemaProblems(grafana, dashboard), dashboard.uid).toEqual([])
  })

  it('have unique panel ids and titles, the prometheus data source on every panel, row, target and variable, and panels inside the 24-column grid', () => {
    for (const dashboard of dashboards) expect(structureProblems(dashboard), dashboard.uid).toEqual([])
  })

  it('query only metrics and labels this platform exports (worker registries, the JMX exporter rules, the agent’s JVM metrics)', () => {
    for (const dashboard of dashboards) {
      const problems = [
        ...dashboardQueries(dashboard).flatMap((q) => metricProblems(known, `${q.dashboard} / ${q.panel} / ${q.refId}`, q.expr)),
        ...variableLabelProblems(known, dashboard),
      ]
      expect(problems, dashboard.uid).toEqual([])
    }
  })

  it('hold PromQL that promtool parses, every panel query and every variable selector', () => {
    const queries = dashboards.flatMap(allQueries)
    expect(queries.length).toBeGreaterThan(100)
    expect(promtoolProblems(queries)).toEqual([])
  })

  it('cover the issue: cluster, pipeline, MirrorMaker and Connect, JVM and Node processes', () => {
    const exprs = (uid: string) =>
      dashboards
        .filter((d) => d.uid === uid)
        .flatMap(dashboardQueries)
        .map((q) => q.expr)
        .join('\n')
    const kafka = exprs('mkt-kafka-cluster')
    for (const metric of [
      'up{job="kafka"',
      'kafka_server_replica_manager_under_replicated_partitions',
      'kafka_server_replica_manager_isr_shrinks_total',
      'kafka_controller_active_controller_count',
      'kafka_server_messages_in_total',
      'kafka_server_bytes_in_total',
      'kafka_network_request_total_time_ms',
    ])
      expect(kafka).toContain(metric)
    const pipeline = exprs('mkt-pipeline')
    for (const metric of [
      'mkt_filter_cards_in_total',
      'mkt_consumer_group_lag',
      'mkt_filter_cards_dlq_total',
      'mkt_filter_ban_table_size',
      'mkt_filter_cards_banned_total',
      'mkt_search_query_seconds_count',
      'mkt_search_query_seconds_bucket',
      'mkt_recommend_reply_seconds_bucket',
      'mkt_search_freshness_seconds_bucket',
    ])
      expect(pipeline).toContain(metric)
    const mirror = exprs('mkt-mirror-connect')
    for (const metric of [
      'kafka_connect_mirror_source_replication_latency_ms_max',
      'kafka_connect_worker_connector_failed_task_count',
      'kafka_connect_connector_task_status',
    ])
      expect(mirror).toContain(metric)
    const processes = exprs('mkt-processes')
    for (const metric of ['jvm_memory_used_bytes', 'jvm_gc_collection_seconds_sum', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes'])
      expect(processes).toContain(metric)
  })

  it('give the live test every query, rows’ panels included, with the template variables replaced by what Prometheus accepts', () => {
    for (const dashboard of dashboards) {
      const queries = dashboardQueries(dashboard)
      const targets = dashboardPanels(dashboard).flatMap((p) => p.targets ?? [])
      expect(queries).toHaveLength(targets.length)
      for (const q of queries) {
        expect(q).toEqual({dashboard: dashboard.uid, panel: expect.any(String), refId: expect.stringMatching(/^[A-Z]$/), expr: expect.any(String)})
        expect(q.expr, `${q.dashboard} / ${q.panel}`).not.toMatch(/\$|\[\[/)
      }
    }
    const collapsed = dashboards.flatMap((d) => d.panels.filter((p) => p.type === 'row' && p.panels?.length).flatMap((row) => row.panels!.map((p) => p.title)))
    expect(collapsed.length).toBeGreaterThan(0)
    const panelsQueried = new Set(dashboards.flatMap(dashboardQueries).map((q) => q.panel))
    for (const title of collapsed) expect(panelsQueried).toContain(title)

    const cluster: DashboardVariable = {name: 'cluster', type: 'query', includeAll: true, allValue: '.*', current: {text: ['All'], value: ['$__all']}}
    const one: DashboardVariable = {name: 'svc', type: 'query', current: {text: 'kafka-1', value: 'kafka-1'}}
    const two: DashboardVariable = {name: 'two', type: 'custom', current: {value: ['a', 'b']}}
    expect(
      interpolateDashboardExpr(
        'rate(x{cluster=~"$cluster", a=~"${cluster}", b=~"${cluster:regex}", c=~"[[cluster]]", s="$svc", t=~"$two"}[$__rate_interval])',
        [cluster, one, two],
      ),
    ).toBe('rate(x{cluster=~".*", a=~".*", b=~".*", c=~".*", s="kafka-1", t=~"(a|b)"}[1m])')
    expect(interpolateDashboardExpr('increase(x[$__range]) / $__range_s + $__interval_ms', [])).toBe('increase(x[5m]) / 300 + 60000')
    expect(interpolateDashboardExpr('label_replace(x, "a", "$1", "b", "(.*)") + $missing', [cluster])).toBe(
      'label_replace(x, "a", "$1", "b", "(.*)") + $missing',
    )
  })

  it('rejects a broken copy of a dashboard with the same checks (negative control)', () => {
    const broken = structuredClone(dashboards.find((d) => d.uid === 'mkt-pipeline')!)
    const panels = dashboardPanels(broken).filter((p) => p.type !== 'row')
    const [wrongType, unknownField, badOption, otherSource, duplicate, badPromql, unknownMetric, unknownLabel] = panels
    ;(wrongType!['gridPos'] as Record<string, unknown>)['w'] = '12'
    unknownField!['gridpos'] = unknownField!['gridPos']
    expect(badOption!.type).toBe('stat')
    ;(badOption!['options'] as Record<string, unknown>)['colorMode'] = 'rainbow'
    otherSource!.datasource = {type: 'prometheus', uid: 'someone-else'}
    duplicate!.id = otherSource!.id
    badPromql!.targets![0]!.expr = 'sum(rate(mkt_filter_cards_in_total[$__rate_interval])'
    unknownMetric!.targets![0]!.expr = 'sum(rate(mkt_filter_cards_inn_total[$__rate_interval]))'
    unknownLabel!.targets![0]!.expr = 'sum by (stage) (rate(mkt_filter_cards_in_total{job="mkt-workers"}[$__rate_interval]))'
    badPromql!.targets!.push({
      ...structuredClone(badPromql!.targets![0]!),
      refId: 'Z',
      datasource: {uid: 'prometheus'},
      expr: 'up{job="kafka", cluster=~"$clustr"}',
    })

    expect(schemaProblems(grafana, broken)).toEqual([
      `mkt-pipeline: dashboard/panels/${broken.panels.indexOf(wrongType!)}/gridPos/w must be number`,
      `mkt-pipeline: dashboard/panels/${broken.panels.indexOf(unknownField!)} must NOT have additional properties: gridpos`,
      `mkt-pipeline: panel ${badOption!.id} "${badOption!.title}" options/colorMode must be equal to one of the allowed values`,
    ])
    const structure = structureProblems(broken)
    expect(structure).toEqual(
      expect.arrayContaining([
        `mkt-pipeline: panel ${otherSource!.id} "${otherSource!.title}": datasource {"type":"prometheus","uid":"someone-else"}`,
        `mkt-pipeline: panel id ${otherSource!.id} is used twice`,
        `mkt-pipeline: panel ${badPromql!.id} "${badPromql!.title}" target Z: datasource {"uid":"prometheus"}`,
        `mkt-pipeline: panel ${badPromql!.id} "${badPromql!.title}" target Z: no variable $clustr`,
      ]),
    )
    const metrics = dashboardQueries(broken).flatMap((q) => metricProblems(known, `${q.panel} / ${q.refId}`, q.expr))
    expect(metrics).toEqual([
      `${unknownMetric!.title} / A: no metric mkt_filter_cards_inn_total is exported here`,
      `${unknownLabel!.title} / A: no metric of the expression has the label stage`,
    ])
    const syntax = promtoolProblems(dashboardQueries(broken))
    expect(syntax).toEqual([
      expect.stringMatching(
        new RegExp(
          `^group "\\d+ mkt-pipeline / ${badPromql!.title} / A", rule 1, "mkt:dashboard_query_\\d+": could not parse expression: .*unclosed left parenthesis$`,
        ),
      ),
    ])

    // The untouched dashboard passes all of them.
    const original = dashboards.find((d) => d.uid === 'mkt-pipeline')!
    expect([...schemaProblems(grafana, original), ...structureProblems(original), ...promtoolProblems(dashboardQueries(original))]).toEqual([])
  })
})

describe('the Grafana provisioning files', () => {
  const datasources = YAML.parse(fs.readFileSync(path.join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as {
    apiVersion: number
    datasources: Array<{name: string; uid: string; type: string; url: string; access: string; isDefault?: boolean; jsonData?: Record<string, unknown>}>
  }
  const providers = YAML.parse(fs.readFileSync(path.join(provisioning, 'dashboards/mkt.yml'), 'utf8')) as {
    apiVersion: number
    providers: Array<{name: string; type: string; options: {path: string}}>
  }

  it('provide the Prometheus data source every panel names, at the compose service', () => {
    expect(datasources.apiVersion).toBe(1)
    const prometheus = datasources.datasources.find((d) => d.uid === 'prometheus')
    expect(prometheus).toMatchObject({type: 'prometheus', url: 'http://prometheus:9090', access: 'proxy', isDefault: true})
    // Prometheus scrapes every 5 s: the data source says so, for $__rate_interval.
    const scrape = (YAML.parse(fs.readFileSync(path.join(root, 'compose/prometheus/prometheus.yml'), 'utf8')) as {global: {scrape_interval: string}}).global
    expect(prometheus!.jsonData?.['timeInterval']).toBe(scrape.scrape_interval)
    const provided = new Set(datasources.datasources.map((d) => d.uid))
    for (const dashboard of loadDashboards())
      for (const panel of dashboardPanels(dashboard))
        for (const ref of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)])
          expect(provided, `${dashboard.uid} panel ${panel.id}`).toContain(ref?.uid)
  })

  it('load the dashboards from the directory compose mounts them at', () => {
    expect(providers.apiVersion).toBe(1)
    expect(providers.providers).toHaveLength(1)
    expect(providers.providers[0]).toMatchObject({type: 'file', options: {path: '/var/lib/grafana/dashboards'}})
  })
})
