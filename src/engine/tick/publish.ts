import type { Diagnosis, Finding, Notification } from '../../common/findings.js';
import type { HostInfo, PartView, State } from '../../common/state.js';
import { errorText } from '../../common/result.js';
import type { Clock } from '../../platform/clock.js';
import type { ChannelHub } from '../channels/hub.js';
import type { HistoryStore } from '../history.js';
import { PART_NAMES } from '../parts.js';
import type { SaveCadence } from '../save-cadence.js';
import { buildState } from '../state.js';
import type { Judgement } from './judge.js';
import type { Sampled } from './sample.js';

/** What the State says besides this cycle's sample and judgement. */
export interface StateFrame {
  intervalSeconds: number;
  host: HostInfo;
  snoozedUntil: number | null;
  replay: boolean;
  /** The engine's standing notes (a replay of an old capture); the cycle's are added. */
  notes: string[];
}

export interface PublisherDeps {
  clock: Clock;
  history: HistoryStore | null;
  channels: ChannelHub | null;
  saves: SaveCadence;
  log?: (line: string) => void;
}

/**
 * Step three of the tick: the memory sample, the incident events and the alert snapshot go to
 * history, notifications are queued for the channels, the State is built, and the listeners
 * (tray, popover, CLI watch, SSE) get it and then the notifications.
 */
export class Publisher {
  private readonly stateListeners = new Set<(state: State) => void>();
  private readonly notificationListeners = new Set<(n: Notification) => void>();

  constructor(private readonly deps: PublisherDeps) {}

  async publish(now: number, { observation, unknowns, parts, notes }: Sampled, { findings, diagnoses, step }: Judgement, frameNow: () => StateFrame): Promise<State> {
    const { clock, history, channels } = this.deps;
    if (observation.memory) history?.addMemorySample(observation.memory);
    let historySeconds: number | null = null;
    if (history) {
      const historyStarted = clock.now();
      await history.append(step.events);
      await this.deps.saves.afterCycle(now);
      historySeconds = Math.max(0, clock.now() - historyStarted) / 1000;
    }
    // Queued (one small file write), then sent beside the cycle: a hanging receiver never holds it.
    await channels?.enqueue(step.notifications);

    // Read now, not when the cycle began: the host's identity or the config may have come in since.
    const frame = frameNow();
    const historyPart: PartView | null = history ? { name: 'history', ok: history.available, seconds: historySeconds } : null;
    const state = buildState({
      now,
      sampledAt: now,
      intervalSeconds: frame.intervalSeconds,
      host: frame.host,
      memory: observation.memory,
      thieves: observation.thieves,
      services: observation.services,
      locks: observation.locks,
      jobs: observation.jobs,
      models: observation.models ?? [],
      findings: withDifferentials(findings, diagnoses),
      incidents: step.incidents,
      senses: observation.senses ?? null,
      unknowns,
      snoozedUntil: frame.snoozedUntil,
      replay: frame.replay,
      history: historyStatusOf(history),
      notes: [...frame.notes, ...notes],
      parts: inPartOrder([...parts.map(({ name, ok, seconds }) => ({ name, ok, seconds })), ...(historyPart ? [historyPart] : [])]),
      channels: channels?.views(now) ?? [],
    });
    this.publishState(state);
    for (const n of step.notifications) for (const listener of this.notificationListeners) listener(n);
    return state;
  }

  /** Gives `state` to every state listener; one that throws is logged and the others still get it. */
  publishState(state: State): void {
    for (const listener of this.stateListeners) {
      try {
        listener(state);
      } catch (error) {
        this.deps.log?.(`state listener failed: ${errorText(error)}`);
      }
    }
  }

  subscribe(listener: (state: State) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onNotification(listener: (n: Notification) => void): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }
}

/** The State before the first cycle: nothing sampled yet. */
export function firstState(now: number, frame: StateFrame, history: HistoryStore | null): State {
  return buildState({
    now,
    sampledAt: null,
    intervalSeconds: frame.intervalSeconds,
    host: frame.host,
    memory: null,
    thieves: [],
    services: [],
    locks: [],
    jobs: [],
    models: [],
    findings: [],
    incidents: [],
    unknowns: [],
    snoozedUntil: null,
    replay: frame.replay,
    history: historyStatusOf(history),
    notes: frame.notes,
    parts: [],
    channels: [],
    senses: null,
  });
}

export function historyStatusOf(h: HistoryStore | null): State['history'] {
  // No data folder is a choice (one-shot status, replay), not a problem to report.
  if (!h) return { available: false, reason: null, readOnly: false };
  return { available: h.available, reason: h.reason, readOnly: h.readOnly };
}

function inPartOrder(parts: PartView[]): PartView[] {
  const rank = (p: PartView) => (PART_NAMES as readonly string[]).indexOf(p.name);
  return [...parts].sort((a, b) => rank(a) - rank(b));
}

/**
 * The State's findings carry their diagnosis's differential (`status --json` has it per finding)
 * and not the engine's typed link (`key` and `subject` say it there).
 */
function withDifferentials(findings: Finding[], diagnoses: Map<string, Diagnosis>): Finding[] {
  return findings.map(({ about: _about, ...f }) => {
    const differential = diagnoses.get(f.key)?.differential;
    return differential ? { ...f, differential } : f;
  });
}
