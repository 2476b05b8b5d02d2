import {describe, expect, inject, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: undefined, MKT_BROKERS: undefined, MKT_STATE_DIR: undefined}

/** `mkt demo --stack full` on the chaos suite's full stack: the broker kill the user watches, then the mirror, the sink and Spark on the analytics cluster. */
describe('mkt demo --stack full', () => {
  it(
    'kills a broker mid-send and shows every card once in filtered-products and on the analytics cluster, and all in the sink',
    {timeout: 600_000},
    async () => {
      const result = await runCli(['demo', '--stack', 'full', '--json'], {...env, DEBUG: 'mkt:demo'}, 520_000)
      expect(result.code, result.stderr.slice(-3000)).toBe(0)
      const demo = result.json<{
        sections: Array<{title: string; lines: string[]}>
        steps: {
          brokerKill: {sent: number; filtered: number; duplicated: number; mirrored: number; sunk: number; sinkState?: string; killed: string}
          dataMovement: {canaryMs: number; topics: number; connectors: Array<{name: string; state: string}>}
          analytics: {summary: {products: number}}
          recommend: {items: string[]}
          monitoring: {up: string[]; firing: string[]}
        }
      }>()
      expect(demo.sections[0]!.title).toMatch(/^The local runtime was already running \(/)
      expect(demo.sections[0]!.lines.join('\n')).toMatch(/Full stack: analytics cluster .*MirrorMaker 2, Kafka Connect http/)
      expect(demo.steps.brokerKill).toEqual({sent: 20_000, filtered: 20_000, duplicated: 0, mirrored: 20_000, sunk: 20_000, killed: 'kafka-2'})
      expect(demo.steps.dataMovement.topics).toBe(7)
      expect(demo.steps.dataMovement.connectors).toEqual([{name: 'catalog-file-sink', state: 'RUNNING'}])
      expect(demo.steps.dataMovement.canaryMs).toBeGreaterThan(0)
      const analytics = demo.sections.find((s) => s.title.startsWith('Category statistics'))!
      expect(analytics.lines[0]).toMatch(/^Read from the analytics cluster/)
      expect(demo.steps.analytics.summary.products).toBeGreaterThanOrEqual(20_000)
      expect(demo.steps.recommend.items).toHaveLength(5)
      // It ends where to watch the platform: every service of the stack scraped, and the live views.
      const services = ['alertmanager', 'prometheus', 'kafka-1', 'kafka-2', 'kafka-3', 'analytics-1', 'connect', 'mirror']
      expect(demo.steps.monitoring.up).toEqual(expect.arrayContaining(services))
      const monitoring = demo.sections.find((s) => s.title.startsWith('Prometheus scrapes'))!
      expect(monitoring.lines.join('\n')).toMatch(/`mkt top`[\s\S]*Prometheus: http:\/\/127\.0\.0\.1:\d+\/targets[\s\S]*Alertmanager: http/)
      // The last section says where to look next, with the full stack's live views and the sink's file.
      expect(demo.sections.at(-1)!.title).toBe('Where to look next')
      expect(demo.sections.at(-1)!.lines.join('\n')).toMatch(
        /`mkt top` \(from Prometheus http:\/\/127\.0\.0\.1:\d+\)[\s\S]*sink writes .*filtered-products\.jsonl/,
      )
    },
  )
})
