/**
 * Runs at most `limit` tasks at once; the rest wait their turn in order. A task given
 * `holdAtMostMs` gives its place up after that long and runs on under its own deadline, so a
 * few targets that never answer cannot keep every other one waiting.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>, holdAtMostMs?: number): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.running -= 1;
      this.waiting.shift()?.();
    };
    const timer = holdAtMostMs === undefined ? undefined : setTimeout(release, holdAtMostMs);
    try {
      return await task();
    } finally {
      clearTimeout(timer);
      release();
    }
  }
}

/** `work`, or `late()` once `ms` have passed without it; the timer is cleared either way. */
export function withDeadline<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
