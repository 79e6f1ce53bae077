/**
 * Replays a generated day through the real engine (createReplayEngine on its capture bundle)
 * and keeps what the properties judge: every notification, when each service was red, every
 * thief story, what the engine could not read, and the thieves at the end of each leak.
 */
import type { Notification } from '../../src/common/findings.js';
import type { Growth, Thief } from '../../src/common/processes.js';
import type { State } from '../../src/common/state.js';
import { createReplayEngine } from '../../src/engine/create.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { planDay, type DayOptions, type DayPlan } from './day-generator.js';
import { dayBundle } from './day-host.js';

export interface StoryAt {
  at: number;
  pid: number;
  story: string;
}

export interface DayRun {
  plan: DayPlan;
  notifications: Notification[];
  /** Sample times at which each service had a crit finding. */
  redAt: Map<string, number[]>;
  /** Sample times at which each service had a warn finding (quiet ones too) and no crit one. */
  amberAt: Map<string, number[]>;
  /** Sample times at which each service showed as running. */
  runningAt: Map<string, number[]>;
  /** Incidents that held a memory finding (confirmed: fired, not merely shown), by id: when they opened. */
  memoryIncidents: Map<string, number>;
  /** Sample times at which memory pressure showed as a finding. */
  pressureShownAt: number[];
  /** Thieves with a story (growth, arrival, sustained CPU) and process findings, as they showed. */
  stories: StoryAt[];
  /** Distinct reasons the engine gave for parts it could not read. */
  unknowns: Set<string>;
  /** For each leak event (by pid): the thief at the last sample of the leak, or null if not shown. */
  leakThieves: Map<number, { at: number; growth: Growth | null; thief: Thief | null }>;
  samples: number;
  millis: number;
  /** Cycles that read the process table and cycles that used the last one. */
  tableReads: { read: number; reused: number };
}

function hasStory(t: Thief): boolean {
  return t.growth !== null || t.arrivedAgoSeconds !== null || t.sustainedCpu !== null;
}

/**
 * `adaptive`: the engine reads the table less often while steady (src/engine/cadence.ts); the
 * per-pid lookup answers as the kernel would at that sample, from the sample's recorded table.
 */
export async function replayDay(options: DayOptions, replay: { adaptive?: boolean } = {}): Promise<DayRun> {
  const started = performance.now();
  const plan = planDay(options);
  const bundle = dayBundle(plan);
  const session = createReplayEngine(bundle);
  if (replay.adaptive) {
    const facts = session.facts;
    Object.assign(facts, {
      async goneProcesses(pids: readonly number[]): Promise<number[]> {
        const table = await readProcessTable(facts, session.clock.now());
        if (!table.ok) throw new Error(table.reason);
        const alive = new Set(table.value.rows.filter((r) => !r.zombie).map((r) => r.pid));
        return pids.filter((pid) => !alive.has(pid));
      },
    });
  }
  const names = [...plan.services, ...(plan.discovered ? [plan.discovered] : [])].map((s) => s.name);
  const perService = () => new Map<string, number[]>(names.map((name) => [name, []]));
  const run: DayRun = { plan, notifications: [], redAt: perService(), amberAt: perService(), runningAt: perService(), memoryIncidents: new Map(), pressureShownAt: [], stories: [], unknowns: new Set(), leakThieves: new Map(), samples: bundle.samples.length, millis: 0, tableReads: session.engine.tableReads };
  const leaks = plan.events.filter((e) => e.kind === 'leak');
  session.engine.onNotification((n) => run.notifications.push(n));
  session.engine.subscribe((state: State) => {
    const at = state.sampledAt ?? 0;
    for (const s of state.services) if (s.state === 'running') run.runningAt.get(s.name)?.push(at);
    for (const i of state.incidents) if (i.findingKeys.some((k) => k.startsWith('memory:'))) run.memoryIncidents.set(i.id, i.openedAt);
    if (state.findings.some((f) => f.key === 'memory:pressure')) run.pressureShownAt.push(at);
    const red = new Set(state.findings.filter((f) => f.severity === 'crit' && f.subject.kind === 'service').map((f) => f.subject.id));
    const amber = new Set(state.findings.filter((f) => f.severity === 'warn' && f.subject.kind === 'service' && !red.has(f.subject.id)).map((f) => f.subject.id));
    for (const id of amber) run.amberAt.get(id)?.push(at);
    for (const f of state.findings) {
      if (f.severity === 'crit' && f.subject.kind === 'service') run.redAt.get(f.subject.id)?.push(at);
      if (f.subject.kind === 'process') run.stories.push({ at, pid: Number(f.subject.id.split(':')[0]), story: f.title });
    }
    for (const t of state.thieves) if (hasStory(t)) run.stories.push({ at, pid: t.pid, story: t.story });
    for (const u of state.unknowns) run.unknowns.add(`${u.part}: ${u.reason}`);
    for (const leak of leaks) {
      if (at > leak.to || at < leak.from) continue;
      const thief = state.thieves.find((t) => t.pid === leak.pid) ?? null;
      run.leakThieves.set(leak.pid, { at, growth: thief?.growth ?? null, thief });
    }
  });
  await session.runAll();
  await session.engine.stop();
  run.millis = performance.now() - started;
  return run;
}

/** How to run one day again: printed with every failure. */
export function replayHint(options: DayOptions, file = 'test/integration/generated-days'): string {
  const env = [
    `WARDEN_DAY_SEED=${options.seed}`,
    `WARDEN_DAY_INTERVAL=${options.intervalSeconds}`,
    `WARDEN_DAY_PROBE=${options.probeSeconds}`,
    `WARDEN_DAY_MINUTES=${options.minutes}`,
    `WARDEN_DAY_EVENTS=${(options.events ?? []).join(',') || 'none'}`,
    ...(options.platform ? [`WARDEN_DAY_PLATFORM=${options.platform}`] : []),
    ...(options.bigPidReuse ? ['WARDEN_DAY_BIG_PID_REUSE=1'] : []),
    ...(options.llmSupervised !== undefined ? [`WARDEN_DAY_SUPERVISED=${options.llmSupervised ? 1 : 0}`] : []),
  ];
  return `replay: ${env.join(' ')} npx vitest run ${file}`;
}
