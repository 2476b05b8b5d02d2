import {createElement as h} from 'react'

import {platformSnapshot, type PlatformSnapshot} from '../../monitoring/snapshot.js'
import type {ViewName} from './view-names.js'

export {alertsTable, snapshotLines} from './lines.js'
export {VIEWS, type ViewName} from './view-names.js'

/**
 * ink decides once, when it is first imported, whether it runs in CI: with `CI` (or
 * `CONTINUOUS_INTEGRATION`) set it draws nothing until the app exits. A live dashboard
 * on a terminal must draw whatever the environment says, so ink and the app that uses
 * it are loaded here, with those variables hidden for the moment of the import.
 */
async function loadInkForTerminal() {
  const hidden = ['CI', 'CONTINUOUS_INTEGRATION'].map((name) => [name, process.env[name]] as const)
  for (const [name] of hidden) delete process.env[name]
  try {
    const [ink, app] = await Promise.all([import('ink'), import('./app.js')])
    return {render: ink.render, TopApp: app.TopApp}
  } finally {
    for (const [name, value] of hidden) if (value !== undefined) process.env[name] = value
  }
}

/** The dashboard on this terminal until the user quits; resolves then. */
export async function runTop(options: {
  prometheusUrl: string
  alertmanagerUrl?: string
  intervalMs: number
  initial: PlatformSnapshot
  initialView?: ViewName
}): Promise<void> {
  const {render, TopApp} = await loadInkForTerminal()
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
