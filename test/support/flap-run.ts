import type { Notification } from '../../src/common/findings.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { hostPlatform, liveHost } from '../../src/engine/create.js';
import { LiveFacts } from '../../src/platform/live.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { ModelServer } from './model-server.js';

export interface FlapRun {
  engineSeconds: number;
  probeSeconds: number;
  /** How long the server flaps (500 and 200 in turn, per request), then how long it answers 200. */
  flapSeconds: number;
  goodSeconds: number;
}

export interface FlapOutcome {
  incidents: number;
  notifications: Notification[];
  recoveries: Notification[];
}

/**
 * The real engine on this host (ps, /proc, lsof) at the given intervals on a clock that steps
 * one interval per cycle, watching a real server that flaps and then answers: what it opened
 * and sent.
 */
export async function runFlap(server: ModelServer, run: FlapRun): Promise<FlapOutcome> {
  const input: WardenConfigInput = {
    intervalSeconds: run.engineSeconds,
    discovery: false,
    services: [{ name: 'gpu-box', url: server.url('/v1/models'), timeoutSeconds: 5, intervalSeconds: run.probeSeconds }],
  };
  const start = Date.UTC(2026, 4, 10, 14, 0, 0);
  const clock = new ManualClock(start);
  const engine = new Engine({
    facts: new LiveFacts(),
    effects: new ReplayEffects(),
    clock,
    platform: hostPlatform(),
    host: liveHost(),
    home: '/nonexistent-home',
    config: { input, config: resolveConfig(input, '/nonexistent-home'), source: 'test' },
    configPath: null,
    history: null,
    settleParts: true,
    replay: false,
    dataDir: null,
    timeZone: 'UTC',
  });
  const notifications: Notification[] = [];
  engine.onNotification((n) => notifications.push(n));
  const incidents = new Set<string>();
  const flapMs = run.flapSeconds * 1000;
  const endMs = flapMs + run.goodSeconds * 1000;
  await server.setMode('flap');
  let flapping = true;
  for (let t = 0; t <= endMs; t += run.engineSeconds * 1000) {
    if (flapping && t >= flapMs) {
      await server.setMode('ok');
      flapping = false;
    }
    clock.set(start + t);
    const state = await engine.tick();
    for (const i of state.incidents) if (i.severity === 'crit' || i.notified) incidents.add(i.id);
  }
  await engine.stop();
  return { incidents: incidents.size, notifications: notifications.filter((n) => n.kind !== 'recovery'), recoveries: notifications.filter((n) => n.kind === 'recovery') };
}
