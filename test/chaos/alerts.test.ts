import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {prometheusUrl, readRuntimeState, restartService, signalService} from '../../src/infra/index.js'
import {healRuntime} from './helpers.js'

const stateDir = inject('stateDir')

/** What Alertmanager POSTs to a webhook receiver (the fields the test reads). */
interface Notification {
  receivedAt: number
  status: 'firing' | 'resolved'
  alerts: Array<{status: 'firing' | 'resolved'; labels: Record<string, string>; startsAt: string; endsAt: string}>
}

/** A webhook receiver like an on-call tool's: it records every notification Alertmanager sends. */
async function startReceiver(): Promise<{url: string; received: Notification[]; close: () => Promise<void>}> {
  const received: Notification[] = []
  const server = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      received.push({...(JSON.parse(body) as Omit<Notification, 'receivedAt'>), receivedAt: Date.now()})
      response.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {url: `http://127.0.0.1:${port}/alerts`, received, close: () => new Promise((resolve) => server.close(() => resolve()))}
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`)
    await sleep(1000)
  }
}

async function brokerUp(service: string): Promise<boolean | undefined> {
  const layout = readRuntimeState(stateDir)!.layout
  const query = encodeURIComponent(`up{job="kafka",service="${service}"}`)
  const body = (await (await fetch(`${prometheusUrl(layout)}/api/v1/query?query=${query}`)).json()) as {data: {result: Array<{value: [number, string]}>}}
  const value = body.data.result[0]?.value[1]
  return value === undefined ? undefined : value === '1'
}

/**
 * The whole alerting path on real services: the JMX exporter of a broker,
 * Prometheus scraping it through file-based discovery, the KafkaBrokerDown
 * rule, Alertmanager's critical route, and a webhook receiver set the way a
 * user sets it (MKT_ALERT_WEBHOOK_URL, then `mkt infra restart alertmanager`).
 */
describe('alerting on the full stack', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  const saved = process.env.MKT_ALERT_WEBHOOK_URL

  beforeAll(async () => {
    receiver = await startReceiver()
    process.env.MKT_ALERT_WEBHOOK_URL = receiver.url
    await restartService(stateDir, 'alertmanager')
  }, 120_000)

  afterAll(async () => {
    if (saved === undefined) delete process.env.MKT_ALERT_WEBHOOK_URL
    else process.env.MKT_ALERT_WEBHOOK_URL = saved
    await restartService(stateDir, 'alertmanager').catch(() => {})
    await healRuntime(stateDir)
    await receiver.close()
  }, 180_000)

  it('pages the webhook when a broker dies and sends the resolution when it is back', {timeout: 300_000}, async () => {
    const brokerDown = (n: Notification, status: 'firing' | 'resolved', since: number) =>
      n.receivedAt >= since && n.alerts.some((a) => a.labels.alertname === 'KafkaBrokerDown' && a.labels.service === 'kafka-2' && a.status === status)

    await until('Prometheus to scrape kafka-2 as up', 60_000, async () => ((await brokerUp('kafka-2')) ? true : undefined))
    // The control: with every broker up (scraped, rules evaluated), no page for kafka-2.
    await sleep(12_000)
    const beforeKill = Date.now()
    expect(receiver.received.filter((n) => brokerDown(n, 'firing', 0))).toEqual([])

    await signalService(stateDir, 'kafka-2', 'KILL')
    const killedAt = Date.now()
    const page = await until('the KafkaBrokerDown page', 120_000, () => receiver.received.find((n) => brokerDown(n, 'firing', beforeKill)))
    const alert = page.alerts.find((a) => a.labels.alertname === 'KafkaBrokerDown')!
    expect(alert.labels).toMatchObject({severity: 'critical', cluster: 'main', service: 'kafka-2', job: 'kafka'})
    // Not before the rule's `for: 15s` held (and after a failed scrape).
    expect(page.receivedAt - killedAt).toBeGreaterThanOrEqual(15_000)

    await restartService(stateDir, 'kafka-2')
    const restartedAt = Date.now()
    const resolution = await until('the KafkaBrokerDown resolution', 150_000, () => receiver.received.find((n) => brokerDown(n, 'resolved', restartedAt)))
    expect(await brokerUp('kafka-2')).toBe(true)
    process.stderr.write(
      `alerts: KafkaBrokerDown paged ${((page.receivedAt - killedAt) / 1000).toFixed(1)}s after the kill, resolved ${((resolution.receivedAt - restartedAt) / 1000).toFixed(1)}s after the restart\n`,
    )
  })
})
