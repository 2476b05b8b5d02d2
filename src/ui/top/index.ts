import {render} from 'ink'
import {createElement as h} from 'react'

import {platformSnapshot, type PlatformSnapshot} from '../../monitoring/snapshot.js'
import {TopApp} from './app.js'
import type {ViewName} from './views.js'

export {TopApp} from './app.js'
export {alertsTable, snapshotLines} from './lines.js'
export {VIEWS, type ViewName} from './views.js'

/** The dashboard on this terminal until the user quits; resolves then. */
export async function runTop(options: {
  prometheusUrl: string
  alertmanagerUrl?: string
  intervalMs: number
  initial: PlatformSnapshot
  initialView?: ViewName
}): Promise<void> {
  // A refresh never waits longer than the interval it is part of (and at least a second).
  const timeoutMs = Math.max(1000, options.intervalMs)
  const load = () => platformSnapshot(options.prometheusUrl, options.alertmanagerUrl, {timeoutMs})
  const app = render(
    h(TopApp, {
      load,
      intervalMs: options.intervalMs,
      url: options.prometheusUrl,
      initial: options.initial,
      ...(options.initialView ? {initialView: options.initialView} : {}),
    }),
    {exitOnCtrlC: true},
  )
  await app.waitUntilExit()
}
