/** What every view gets: the State, its age on one clock, and the way to ask for an action. */
import type { SnoozeFor, SnoozeTarget } from '../common/api.js';
import type { ActionOffer } from '../common/services.js';
import type { State } from '../common/state.js';
import { timeWithZone } from '../common/zoned-time.js';

export interface ViewContext {
  state: State;
  /** Seconds from an engine timestamp to now: the engine's own clock up to the State, this page's since. */
  ago(at: number): number;
  /** Seconds from now to a future engine timestamp; 0 once it has passed. */
  until(at: number): number;
  /** Opens the confirmation for an offered action. */
  ask(offer: ActionOffer): void;
  /** Mutes (or unmutes, 'off') notifications; a failure shows in the popover's banner. */
  snooze(target: SnoozeTarget, duration: SnoozeFor): void;
  /** An incident to open at (a notification was clicked). */
  focusIncident: string | null;
}

/** Signed seconds from an engine timestamp to now (negative: still ahead). */
export function makeElapsed(state: State, receivedAt: number, now: () => number): (at: number) => number {
  return (at) => (state.generatedAt - at) / 1000 + (now() - receivedAt) / 1000;
}

/** "14:02 CEST": engine timestamps as local wall-clock time with the zone, as the CLI writes them. */
export function clockTime(at: number): string {
  return timeWithZone(at);
}
