/**
 * Which generated days a suite replays: many days at coarse engine intervals, fewer at 1–2 s
 * (each costs a sample per second), probe intervals from 1 s to 5 min. Deterministic from the
 * suite's base seed; WARDEN_DAY_SEED (with WARDEN_DAY_INTERVAL, _PROBE, _MINUTES, _EVENTS,
 * _PLATFORM, _SUPERVISED) replays one day instead, as printed with a failure.
 */
import type { DayOptions, DayPlatform, EventKind } from './day-generator.js';
import { seededRandom } from './seeded-random.js';

export interface MatrixRow {
  intervalSeconds: number;
  days: number;
  /** Probe intervals to draw from at this engine interval. */
  probes: readonly number[];
  minutes: number;
}

/** The day the environment names, or null when none is named. */
export function dayFromEnv(env: NodeJS.ProcessEnv = process.env): DayOptions | null {
  if (!env.WARDEN_DAY_SEED) return null;
  const events = (env.WARDEN_DAY_EVENTS ?? 'none').split(',').filter((e) => e && e !== 'none') as EventKind[];
  return {
    seed: Number(env.WARDEN_DAY_SEED),
    intervalSeconds: Number(env.WARDEN_DAY_INTERVAL ?? 5),
    probeSeconds: Number(env.WARDEN_DAY_PROBE ?? 30),
    minutes: Number(env.WARDEN_DAY_MINUTES ?? 60),
    events,
    ...(env.WARDEN_DAY_PLATFORM ? { platform: env.WARDEN_DAY_PLATFORM as DayPlatform } : {}),
    ...(env.WARDEN_DAY_BIG_PID_REUSE ? { bigPidReuse: true } : {}),
    ...(env.WARDEN_DAY_SUPERVISED ? { llmSupervised: env.WARDEN_DAY_SUPERVISED === '1' } : {}),
  };
}

/**
 * `events(rand)` gives each day's injected events; the rest (platform, probe interval) is
 * drawn from the seed.
 */
export function dayMatrix(baseSeed: number, rows: readonly MatrixRow[], events: (rand: () => number) => EventKind[], extra: Partial<DayOptions> = {}): DayOptions[] {
  const one = dayFromEnv();
  if (one) return [one];
  const rand = seededRandom(baseSeed);
  const out: DayOptions[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.days; i++) {
      out.push({
        seed: Math.floor(rand() * 2 ** 31),
        intervalSeconds: row.intervalSeconds,
        probeSeconds: row.probes[Math.floor(rand() * row.probes.length)] as number,
        minutes: row.minutes,
        events: events(rand),
        ...extra,
      });
    }
  }
  return out;
}
