import {Box, Text, useApp, useInput} from 'ink'
import {createElement as h, useEffect, useState, type ReactElement} from 'react'

import {errorMessage} from '../../errors.js'
import type {PlatformSnapshot} from '../../monitoring/snapshot.js'
import {VIEWS, type ViewName} from './view-names.js'
import {AlertsView, BrokersView, Footer, Header, Overview} from './views.js'

export interface TopAppProps {
  /** Reads one snapshot; called every intervalMs, never twice at once. */
  load: () => Promise<PlatformSnapshot>
  intervalMs: number
  /** Where the data comes from, for the header. */
  url: string
  /** A snapshot already read (the command reads one first, so a Prometheus that does not answer is an error, not an empty screen). */
  initial?: PlatformSnapshot
  initialView?: ViewName
  /** Called when the user quits (q, Esc, Ctrl-C), before the app unmounts. */
  onQuit?: () => void
}

interface State {
  snapshot?: PlatformSnapshot
  refreshedAt?: Date
  error?: {message: string; at: Date}
}

/**
 * `mkt top`: the dashboard. Refreshes every intervalMs; when a refresh fails
 * it keeps the last data and says so in red until one succeeds again.
 */
export function TopApp({load, intervalMs, url, initial, initialView = 'overview', onQuit}: TopAppProps): ReactElement {
  const {exit} = useApp()
  const [view, setView] = useState<ViewName>(initialView)
  const [state, setState] = useState<State>(initial ? {snapshot: initial, refreshedAt: new Date(initial.at)} : {})

  useInput((input, key) => {
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) {
      onQuit?.()
      exit()
    } else if (key.tab) {
      setView((v) => VIEWS[(VIEWS.indexOf(v) + (key.shift ? VIEWS.length - 1 : 1)) % VIEWS.length]!)
    }
  })

  useEffect(() => {
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    const tick = async () => {
      try {
        const snapshot = await load()
        if (!stopped) setState({snapshot, refreshedAt: new Date()})
      } catch (error) {
        if (!stopped) setState((prev) => ({...prev, error: {message: errorMessage(error), at: new Date()}}))
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs)
    }
    timer = setTimeout(() => void tick(), initial ? intervalMs : 0)
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, []) // one refresh loop for the app's lifetime

  const {snapshot} = state
  const body = !snapshot
    ? h(Text, {dimColor: true}, `Reading ${url}…`)
    : view === 'alerts'
      ? h(AlertsView, {alerts: snapshot.alerts.alerts, source: `${snapshot.alerts.source} ${snapshot.alerts.url}`})
      : view === 'brokers'
        ? h(BrokersView, {snapshot})
        : h(Overview, {snapshot})
  return h(
    Box,
    {flexDirection: 'column'},
    h(Header, {view, url, ...(state.refreshedAt ? {refreshedAt: state.refreshedAt} : {}), ...(state.error ? {error: state.error} : {})}),
    body,
    h(Footer),
  )
}
