/**
 * One read of a whole part at a time, started at most every `everyMs`: the schedule the lock and
 * job monitors share. A read that throws is dropped here; the reader files its own failures.
 */
export class ReadSchedule {
  private inFlight: Promise<void> | null = null;
  private nextAt = 0;

  constructor(private readonly everyMs: number) {}

  /** Starts `read` when due and none is in flight, and returns without waiting for it. */
  start(now: number, read: () => Promise<unknown>): void {
    if (this.inFlight || now < this.nextAt) return;
    this.nextAt = now + this.everyMs;
    this.inFlight = read()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.inFlight = null;
      });
  }

  /** The next start reads at once (a new config, a release that changed who holds a file). */
  dueNow(): void {
    this.nextAt = 0;
  }

  /** Resolves when the read in flight (if any) has finished. */
  async idle(): Promise<void> {
    await this.inFlight;
  }
}
