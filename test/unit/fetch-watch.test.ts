import {describe, expect, it} from 'vitest'

import {FetchStartWatch} from '../../src/kafka/fetch-watch.js'

describe('FetchStartWatch', () => {
  it('reports a partition whose fetcher has not run past the timeout, once per timeout', () => {
    const watch = new FetchStartWatch(20_000)
    for (const [p, state] of [
      [0, 'none'],
      [1, 'active'],
      [2, 'stopped'],
      [3, undefined],
    ] as const)
      watch.observe(p, state, 1_000)
    expect(watch.overdue(20_999)).toEqual([])
    // Not listed in the sample (3): no information, not taken for stranded.
    expect(watch.overdue(21_000)).toEqual([0, 2])
    // Its clock restarts: reported again only after another timeout.
    watch.observe(0, 'none', 25_000)
    expect(watch.overdue(40_999)).toEqual([])
    expect(watch.overdue(41_000)).toEqual([0, 2])
  })

  it('never reports a partition that fetches, also without a leader or while its offset is looked up', () => {
    const watch = new FetchStartWatch(1000)
    for (const state of ['active', 'offset-query', 'offset-wait']) watch.observe(4, state, 0)
    expect(watch.overdue(60_000)).toEqual([])
  })

  it('starts the clock again once the fetcher ran, or the partition was revoked or assigned afresh', () => {
    const watch = new FetchStartWatch(1000)
    watch.observe(0, 'none', 0)
    watch.observe(1, 'none', 0)
    watch.observe(0, 'active', 500)
    watch.forget([1])
    expect(watch.isIdle(0)).toBe(false)
    expect(watch.isIdle(1)).toBe(false)
    expect(watch.overdue(5000)).toEqual([])
    watch.observe(1, 'none', 5000)
    expect(watch.overdue(5999)).toEqual([])
    expect(watch.overdue(6000)).toEqual([1])
  })
})
