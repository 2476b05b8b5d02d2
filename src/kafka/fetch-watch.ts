/**
 * Notices assigned partitions whose fetcher never starts. librdkafka leaves a
 * partition stranded when the request for its committed offset fails as a
 * whole (NOT_COORDINATOR from a coordinator that just moved, retries used up
 * while a broker restarts): it stays assigned, its fetch state stays "none"
 * (or "stopped"), nothing is fetched and no error is raised
 * (confluentinc/librdkafka#5586, open in 2.15). Assigning it again asks for
 * the offset again. The state comes from librdkafka's statistics, so a
 * partition that merely has no leader for a while (its fetcher is active) is
 * never taken for a stranded one.
 */
export class FetchStartWatch {
  private readonly idleSince = new Map<number, number>()

  constructor(private readonly timeoutMs: number) {}

  /** One statistics sample for an owned partition: its fetch_state (undefined: the sample does not list it, which tells nothing). */
  observe(partition: number, fetchState: string | undefined, now: number): void {
    if (fetchState === undefined) return
    if (fetchState === 'none' || fetchState === 'stopped') {
      if (!this.idleSince.has(partition)) this.idleSince.set(partition, now)
    } else this.idleSince.delete(partition)
  }

  /** No longer ours (revoked), or assigned afresh: its clock starts again with the next sample. */
  forget(partitions: number[]): void {
    for (const p of partitions) this.idleSince.delete(p)
  }

  isIdle(partition: number): boolean {
    return this.idleSince.has(partition)
  }

  /** Partitions that have not been fetching for longer than the timeout; their clock restarts. */
  overdue(now: number): number[] {
    const late: number[] = []
    for (const [p, since] of this.idleSince)
      if (now - since >= this.timeoutMs) {
        late.push(p)
        this.idleSince.set(p, now)
      }
    return late.sort((a, b) => a - b)
  }
}
