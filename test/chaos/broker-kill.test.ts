import {afterEach, describe, expect, inject, it} from 'vitest'

import {restartService, signalService} from '../../src/infra/index.js'
import {startCli, whyNotExited, type Running} from '../helpers/spawn.js'
import {waitForCaughtUp} from '../helpers/topics.js'
import {cardsFile, chaosLane, healRuntime, defects, filterArgs, groupCoordinator, keyCounts} from './helpers.js'

const profile = inject('profile')
const stateDir = inject('stateDir')
// A failed test leaves its filter running: stop it, or its sockets and its group outlive the test.
const filters: Running[] = []
afterEach(async () => {
  for (const f of filters.splice(0)) if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGKILL')
  await healRuntime(stateDir)
}, 180_000)

const env = {MKT_CONFIG: inject('configFile'), MKT_PROFILE: `${inject('profile').name}:admin`, MKT_BROKERS: undefined, MKT_LOG_LEVEL: 'trace'}
const CARDS = 200_000

/**
 * The scenario a user met: 3 brokers, the filter running, `mkt shop send` of
 * 200,000 cards, kill -9 of one broker mid-flow, then restart it. Every card
 * the send acknowledged must be in the input topic exactly once, and the
 * filtered catalogue (read committed) must hold each card exactly once.
 */
describe('kill -9 of a broker while cards flow through send and the filter', () => {
  const {file, ids} = cardsFile(CARDS, 2024, 5_000_000)

  // The coordinator case starts the filter after the send, so it is surely mid-flow when its group's coordinator dies.
  const moments: Array<{victim: string; when: string; afterMs?: number; afterSend?: boolean; filterAfterSend?: boolean}> = [
    {victim: 'kafka-2', when: 'early in the send', afterMs: 1500},
    {victim: 'kafka-3', when: 'late in the send', afterMs: 6000},
    {victim: 'kafka-1', when: 'after the send, while the filter catches up', afterSend: true},
    {victim: "the filter group's coordinator", when: 'while the filter catches up', afterMs: 5000, filterAfterSend: true},
  ]

  for (const moment of moments) {
    it(`loses and duplicates nothing when ${moment.victim} dies ${moment.when}`, {timeout: 400_000}, async () => {
      const lane = await chaosLane(profile, `chaos-bk-${moment.victim.startsWith('kafka') ? moment.victim : 'coordinator'}`)
      const victim = moment.victim.startsWith('kafka') ? moment.victim : await groupCoordinator(profile, lane.group)
      const startFilter = async () => {
        const running = startCli(filterArgs(lane), env)
        filters.push(running)
        await running.waitFor(/"msg":"filtering"/, 60_000, 'stderr')
        return running
      }
      const kill = async (after: number, progress: () => string) => {
        await new Promise((r) => setTimeout(r, after))
        const at = progress()
        await signalService(stateDir, victim, 'KILL')
        return at
      }
      let filter = moment.filterAfterSend ? undefined : await startFilter()

      const send = startCli(['shop', 'send', '--file', file, '--topic', lane.input], env)
      let killedAt = ''
      if (moment.afterMs !== undefined && !moment.filterAfterSend) killedAt = await kill(moment.afterMs, () => send.stderr().split('\r').at(-1) ?? '')
      const sent = await send.exited
      expect(sent, `send exit; killed at "${killedAt}"; ${send.stdout()} ${send.stderr().slice(-2000)}`).toBe(0)
      expect(send.stdout()).toMatch(new RegExp(`sent ${CARDS} card\\(s\\)`))
      if (moment.afterSend) await kill(0, () => '')
      filter ??= await startFilter()
      if (moment.filterAfterSend) await kill(moment.afterMs ?? 0, () => '')

      await restartService(stateDir, victim)
      // At most 200 s in all (progress resets the stall clock), so a filter that stalls fails here with its log, not at the test's timeout.
      const overall = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the filter group did not catch up within 200 s')), 200_000).unref())
      await Promise.race([waitForCaughtUp(profile, lane.group, lane.input, 120_000), overall]).catch((error: Error) => {
        throw new Error(
          `${error.message} (${victim} was killed)\nthe filter (exit ${filter.child.exitCode}) last logged:\n${filter.stderr().split('\n').slice(-25).join('\n')}`,
        )
      })

      const input = defects(await keyCounts(profile, lane.input), ids)
      expect(input.duplicated, 'cards written twice to the input').toEqual([])
      expect(input.missing, 'acknowledged cards missing from the input').toEqual([])
      const output = defects(await keyCounts(profile, lane.output), ids)
      expect(output.duplicated, 'cards forwarded twice').toEqual([])
      expect(output.missing, 'cards never forwarded').toEqual([])
      expect(output.unexpected).toEqual([])

      const stranded = filter
        .stderr()
        .split('\n')
        .filter((line) => line.includes('assigning them again'))
      if (stranded.length > 0) console.log(`${victim} killed: the filter re-assigned stranded partitions:\n${stranded.join('\n')}`)
      filter.child.kill('SIGTERM')
      const exit = await Promise.race([filter.exited, new Promise<string>((r) => setTimeout(() => r('still running 60 s after SIGTERM'), 60_000).unref())])
      if (exit !== 0) {
        const warnings = filter
          .stderr()
          .split('\n')
          .filter((line) => /"level":[4-6]0|failed:/.test(line))
        console.log(`${victim} killed: the filter did not end after SIGTERM: ${whyNotExited(filter.child)}\nits warnings:\n${warnings.join('\n')}`)
      }
      expect(exit, filter.stderr().slice(-2000)).toBe(0)
      // Ending anyway is the worker's last resort; what held it is worth reading.
      const held = filter
        .stderr()
        .split('\n')
        .filter((line) => /still held|waiting for librdkafka|never answered/.test(line))
      if (held.length > 0) console.log(`${victim} killed: the stopped filter was held: ${held.join('\n')}`)
    })
  }
})
