import fs from 'node:fs'
import path from 'node:path'

import {composePath} from '../package-root.js'

/** A data source reference as Grafana writes it on panels and targets. */
export interface DashboardDataSourceRef {
  type?: string
  uid?: string
}

/** A query of a panel (the Prometheus data source's fields that matter here). */
export interface DashboardTarget {
  refId: string
  expr?: string
  datasource?: DashboardDataSourceRef
  [field: string]: unknown
}

/** A panel, or a row holding panels of its own when it is collapsed. */
export interface DashboardPanel {
  id: number
  type: string
  title?: string
  datasource?: DashboardDataSourceRef
  targets?: DashboardTarget[]
  panels?: DashboardPanel[]
  [field: string]: unknown
}

/** A dashboard template variable. */
export interface DashboardVariable {
  name: string
  type: string
  includeAll?: boolean
  allValue?: string
  current?: {text?: unknown; value?: unknown}
  [field: string]: unknown
}

/** The part of a Grafana dashboard JSON model read here; test/unit/grafana-dashboards.test.ts checks the whole against Grafana's schema. */
export interface Dashboard {
  uid: string
  title: string
  schemaVersion: number
  panels: DashboardPanel[]
  templating?: {list?: DashboardVariable[]}
  [field: string]: unknown
}

/** One query of one panel, ready for Prometheus's /api/v1/query. */
export interface DashboardQuery {
  dashboard: string
  panel: string
  refId: string
  expr: string
}

/** Where the provisioned dashboards live (mounted at /var/lib/grafana/dashboards by compose). */
export function dashboardsDir(): string {
  return composePath('grafana', 'dashboards')
}

/** Every dashboard JSON under compose/grafana/dashboards (as Grafana reads them), sorted by file name. */
export function loadDashboards(dir = dashboardsDir()): Dashboard[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Dashboard)
}

/** Every panel of the dashboard, those inside (collapsed) rows included, rows themselves too. */
export function dashboardPanels(dashboard: Pick<Dashboard, 'panels'>): DashboardPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])])
}

/**
 * What Grafana puts in place of its built-in variables, for a query run
 * outside Grafana: windows Prometheus accepts that hold several scrapes
 * (every 5 s here), as $__rate_interval guarantees in Grafana.
 */
const BUILT_IN: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __interval_ms: '60000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
}

/**
 * The value a variable takes in a query run outside Grafana: "All" (what a
 * provisioned dashboard opens with) becomes its allValue, or `.*`, which is
 * what `label=~"$var"` needs to match every series; a variable with one
 * selected value takes that value.
 */
function variableValue(variable: DashboardVariable): string {
  const value = variable.current?.value
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
  if (values.length === 0 || values.includes('$__all')) return variable.includeAll ? (variable.allValue ?? '.*') : '.*'
  return values.length === 1 ? String(values[0]) : `(${values.map(String).join('|')})`
}

/**
 * The expression with Grafana's template variables substituted ($var,
 * ${var}, ${var:format}, [[var]]), as Grafana interpolates them: a name that
 * is neither a dashboard variable nor a built-in one is left as it is (so
 * PromQL's own `$1` in label_replace survives, and a misspelt variable shows
 * up as a parse error).
 */
export function interpolateDashboardExpr(expr: string, variables: DashboardVariable[] = []): string {
  const byName = new Map(variables.map((v) => [v.name, v]))
  return expr.replace(/\$(\w+)|\[\[(\w+)(?::\w+)?\]\]|\$\{(\w+)(?::[^}]+)?\}/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!
    if (name in BUILT_IN) return BUILT_IN[name]!
    const variable = byName.get(name)
    return variable ? variableValue(variable) : whole
  })
}

/** Every target of every panel (rows' panels included) with its expression ready to run against Prometheus. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const variables = dashboard.templating?.list ?? []
  return dashboardPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => typeof target.expr === 'string' && target.expr.trim() !== '' && target.hide !== true)
      .map((target) => ({
        dashboard: dashboard.uid,
        panel: panel.title ?? `#${panel.id}`,
        refId: target.refId,
        expr: interpolateDashboardExpr(target.expr!, variables),
      })),
  )
}
