import type { SnoozeTarget } from '../common/api.js';
import type { Tracker } from './alert-snapshot.js';

export type Snooze = { target: SnoozeTarget; until: number };

/** The snoozes in force: of a service, or of everything, each until its time. */
export class AlertSnoozes {
  list: Snooze[] = [];

  /** Snoozes a service, or everything, until `until`; null lifts the snooze. */
  set(target: SnoozeTarget, until: number | null): void {
    this.list = this.list.filter((s) => !sameTarget(s.target, target));
    if (until !== null) this.list.push({ target: structuredClone(target), until });
  }

  /** Drops the snoozes that ended by `now`. */
  expire(now: number): void {
    this.list = this.list.filter((s) => s.until > now);
  }

  /** When the snooze of everything ends, for State.snoozedUntil. */
  allUntil(now: number): number | null {
    const all = this.list.filter((s) => s.target.scope === 'all' && s.until > now);
    return all.length > 0 ? Math.max(...all.map((s) => s.until)) : null;
  }

  /** When the snooze of this one service ends, for ServiceView.snoozedUntil. */
  serviceUntil(name: string, now: number): number | null {
    const own = this.list.find((s) => s.target.scope === 'service' && s.target.name === name && s.until > now);
    return own ? own.until : null;
  }

  /** Covered by a snooze, or the cause of a covered symptom in the same incident. */
  cover(red: Tracker[], members: Tracker[]): boolean {
    const direct = (t: Tracker) =>
      this.list.some((s) => s.target.scope === 'all' || (t.subject.kind === 'service' && t.subject.id === s.target.name));
    const covered = members.filter(direct);
    return red.every((t) => direct(t) || covered.some((c) => c.causes.includes(t.key)));
  }
}

function sameTarget(a: SnoozeTarget, b: SnoozeTarget): boolean {
  return a.scope === 'all' ? b.scope === 'all' : b.scope === 'service' && a.name === b.name;
}
