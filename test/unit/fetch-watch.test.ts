import {describe, expect, it} from 'vitest'

import {FetchStartWatch} from '../../src/kafka/fetch-watch.js'

describe('FetchStartWatch', () => {
  it('reports an assigned partition that delivered nothing past the timeout, once per timeout', () => {
    const watch = new FetchStartWatch(20_000)
    watch.assigned([0, 1, 2], 1_000)
    watch.heard(1)
    expect(watch.overdue(20_999)).toEqual([])
    expect(watch.overdue(21_000)).toEqual([0, 2])
    // Assigned again at 21 s: its clock restarts.
    expect(watch.overdue(40_999)).toEqual([])
    expect(watch.overdue(41_000)).toEqual([0, 2])
  })

  it('forgets a partition once a record or its end arrives, and when it is revoked', () => {
    const watch = new FetchStartWatch(1000)
    watch.assigned([0, 1, 2], 0)
    watch.heard(0)
    watch.revoked([2])
    expect(watch.isWaiting(0)).toBe(false)
    expect(watch.isWaiting(1)).toBe(true)
    expect(watch.isWaiting(2)).toBe(false)
    expect(watch.overdue(5000)).toEqual([1])
  })

  it('watches a partition again from its new assignment after it was revoked', () => {
    const watch = new FetchStartWatch(1000)
    watch.assigned([3], 0)
    watch.heard(3)
    watch.revoked([3])
    watch.assigned([3], 10_000)
    expect(watch.overdue(10_500)).toEqual([])
    expect(watch.overdue(11_000)).toEqual([3])
  })
})
