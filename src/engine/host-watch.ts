import type { HostIdentity } from '../common/host-identity.js';
import { errorText, type Part } from '../common/result.js';

/**
 * When the host last woke: told by the OS (the app's powerMonitor) or guessed from a gap
 * between cycles (the CLI has no such event). A woken host reads its identity again.
 */
export class WakeWatch {
  wokeAt: number | null = null;
  lastCycleAt: number | null = null;
  private suspendedAt: number | null = null;

  /** Called at the start of each cycle: whether this is the first cycle or a wake (read the identity again). */
  cycle(now: number, intervalMs: number): boolean {
    const first = this.lastCycleAt === null;
    if (this.lastCycleAt !== null && (now - this.lastCycleAt > 3 * intervalMs || now < this.lastCycleAt)) this.wokeAt = now;
    // A cycle between suspend and resume (a dark wake) sees a host that is not really up.
    if (this.suspendedAt !== null) this.wokeAt = now;
    this.lastCycleAt = now;
    return first || this.wokeAt === now;
  }

  suspended(now: number): void {
    this.suspendedAt = now;
  }

  resumed(now: number): void {
    this.wokeAt = now;
    this.suspendedAt = null;
  }
}

/** The host's identity (model, chip, memory), read beside the loop: a slow system_profiler never holds a cycle. */
export class IdentityReader {
  private current: HostIdentity | null;
  private reading: Promise<void> | null = null;

  constructor(
    known: HostIdentity | null,
    private readonly read: (() => Promise<Part<HostIdentity>>) | undefined,
    private readonly log: ((line: string) => void) | undefined,
  ) {
    this.current = known;
  }

  get identity(): HostIdentity | null {
    return this.current;
  }

  /** Starts a read unless one is under way (or there is no reader); never awaited by a cycle. */
  start(): void {
    const read = this.read;
    if (!read || this.reading) return;
    this.reading = read()
      .then((part) => {
        if (part.ok) this.current = part.value;
        else this.log?.(part.reason);
      })
      .catch((error: unknown) => this.log?.(`host identity: ${errorText(error)}`))
      .finally(() => {
        this.reading = null;
      });
  }

  /** Resolves when a read under way has finished. */
  async settled(): Promise<void> {
    await this.reading;
  }
}
