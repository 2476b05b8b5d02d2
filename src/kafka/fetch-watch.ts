/**
 * Notices assigned partitions that never start fetching. librdkafka leaves a
 * partition stranded when the request for its committed offset fails as a
 * whole (NOT_COORDINATOR from a coordinator that just moved, retries used up
 * while a broker restarts): it stays assigned, nothing is fetched and no
 * error is raised (confluentinc/librdkafka#5586, open in 2.15). Assigning it
 * again asks for the offset again. A partition counts as started once it
 * delivered a record or reported its end.
 */
export class FetchStartWatch {
  private readonly waiting = new Map<number, number>()

  constructor(private readonly timeoutMs: number) {}

  assigned(partitions: number[], now: number): void {
    for (const p of partitions) this.waiting.set(p, now)
  }

  revoked(partitions: number[]): void {
    for (const p of partitions) this.waiting.delete(p)
  }

  /** A record or the end of the partition arrived: its fetcher runs. */
  heard(partition: number): void {
    if (this.waiting.size > 0) this.waiting.delete(partition)
  }

  isWaiting(partition: number): boolean {
    return this.waiting.has(partition)
  }

  /** Partitions silent for longer than the timeout since they were (re)assigned; their clock restarts. */
  overdue(now: number): number[] {
    const late: number[] = []
    for (const [p, since] of this.waiting)
      if (now - since >= this.timeoutMs) {
        late.push(p)
        this.waiting.set(p, now)
      }
    return late.sort((a, b) => a - b)
  }
}
