import {afterEach, describe, expect, inject, it} from 'vitest'

import {restartService, signalService} from '../../src/infra/index.js'
import {startCli} from '../helpers/spawn.js'
import {waitForCaughtUp} from '../helpers/topics.js'
import {cardsFile, chaosLane, healRuntime, defects, filterArgs, keyCounts} from './helpers.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
afterEach(() => healRuntime(stateDir), 180_000)

const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined, MKT_LOG_LEVEL: 'debug'}
const CARDS = 200_000

/**
 * The scenario a user met: 3 brokers, the filter running, `mkt shop send` of
 * 200,000 cards, kill -9 of one broker mid-flow, then restart it. Every card
 * the send acknowledged must be in the input topic exactly once, and the
 * filtered catalogue (read committed) must hold each card exactly once.
 */
describe('kill -9 of a broker while cards flow through send and the filter', () => {
  const {file, ids} = cardsFile(CARDS, 2024, 5_000_000)

  const moments: Array<{victim: string; when: string; afterMs?: number; afterSend?: boolean}> = [
    {victim: 'kafka-2', when: 'early in the send', afterMs: 1500},
    {victim: 'kafka-3', when: 'late in the send', afterMs: 6000},
    {victim: 'kafka-1', when: 'after the send, while the filter catches up', afterSend: true},
  ]

  for (const moment of moments) {
    it(`loses and duplicates nothing when ${moment.victim} dies ${moment.when}`, {timeout: 400_000}, async () => {
      const lane = await chaosLane(profile, `chaos-bk-${moment.victim}`)
      const filter = startCli(filterArgs(lane), env)
      await filter.waitFor(/"msg":"filtering"/, 60_000, 'stderr')

      const send = startCli(['shop', 'send', '--file', file, '--topic', lane.input], env)
      let killedAt = ''
      if (moment.afterMs !== undefined) {
        await new Promise((r) => setTimeout(r, moment.afterMs))
        killedAt = send.stderr().split('\r').at(-1) ?? ''
        await signalService(stateDir, moment.victim, 'KILL')
      }
      const sent = await send.exited
      expect(sent, `send exit; killed at "${killedAt}"; ${send.stdout()} ${send.stderr().slice(-2000)}`).toBe(0)
      expect(send.stdout()).toMatch(new RegExp(`sent ${CARDS} card\\(s\\)`))
      if (moment.afterSend) await signalService(stateDir, moment.victim, 'KILL')

      await restartService(stateDir, moment.victim)
      await waitForCaughtUp(profile, lane.group, lane.input, 180_000).catch((error: Error) => {
        throw new Error(`${error.message}\nthe filter (exit ${filter.child.exitCode}) last logged:\n${filter.stderr().split('\n').slice(-25).join('\n')}`)
      })

      const input = defects(await keyCounts(profile, lane.input), ids)
      expect(input.duplicated, 'cards written twice to the input').toEqual([])
      expect(input.missing, 'acknowledged cards missing from the input').toEqual([])
      const output = defects(await keyCounts(profile, lane.output), ids)
      expect(output.duplicated, 'cards forwarded twice').toEqual([])
      expect(output.missing, 'cards never forwarded').toEqual([])
      expect(output.unexpected).toEqual([])

      filter.child.kill('SIGTERM')
      expect(await filter.exited, filter.stderr().slice(-2000)).toBe(0)
    })
  }
})
