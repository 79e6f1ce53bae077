import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { RecordingFacts } from '../../src/platform/recording.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { ManualClock } from '../../src/platform/clock.js';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type CaptureBundle } from '../../src/platform/capture.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import { identityFrom } from '../../src/platform/host-identity.js';
import { CATHEDRAL_LOG, CAPTURE_INTERVAL_MS, CAPTURE_SAMPLES, CAPTURE_START, DB_PATH, HOME, SimulatedMac, UID, type Afternoon } from './simulated-mac.js';

/**
 * What the operator had configured on that Mac: the cathedral, its canary, the database, the
 * weekly job; discovery on (the default), so LM Studio's server is found and its models read.
 */
export const AFTERNOON_CONFIG: WardenConfigInput = {
  intervalSeconds: 60,
  discovery: true,
  services: [
    {
      name: 'cathedral',
      url: 'http://127.0.0.1:1337/v1/models',
      port: 1337,
      timeoutSeconds: 10,
      intervalSeconds: 60,
      canary: {
        url: 'http://127.0.0.1:1337/v1/chat/completions',
        method: 'POST',
        body: '{"model":"mlx-community/Qwen3-VL-32B-Instruct-8bit","messages":[{"role":"user","content":[{"type":"text","text":"ping"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}],"max_tokens":1}',
        timeoutSeconds: 10,
        intervalSeconds: 180,
      },
      supervisor: { kind: 'launchd', label: 'com.sanctum.mlx' },
      match: 'sanctum-mlx',
      logs: [{ path: CATHEDRAL_LOG, name: 'prefill', pattern: 'prefill_us=(?<v>[\\d,]+)', unit: 'us' }],
    },
  ],
  watchedFiles: [{ path: DB_PATH, name: 'workspace.duckdb', maxHeldMinutes: 30 }],
  jobs: [
    {
      name: 'weekly-restart',
      supervisor: { kind: 'launchd', label: 'com.sanctum.mlx.weekly-restart' },
      schedule: { every: 'week', weekday: 0, hour: 4, minute: 0 },
      graceMinutes: 60,
      logPath: `${HOME}/Library/Logs/sanctum/weekly-restart.log`,
    },
  ],
};

/**
 * The Mac's identity as systeminformation would report it (its answers' shape; the numbers are
 * the scenario's: 16 cores, 64 GiB; macOS and the chip are assumed, the write-up does not say).
 */
export const MAC_MINI_IDENTITY = identityFrom({
  osInfo: { platform: 'darwin', distro: 'macOS', release: '15.4' },
  system: { manufacturer: 'Apple Inc.', model: 'Mac mini' },
  cpu: { manufacturer: 'Apple', brand: 'M4 Pro', cores: 16, physicalCores: 16, performanceCores: 12, efficiencyCores: 4 },
  graphics: { controllers: [{ model: 'Apple M4 Pro' }] },
  mem: { total: 64 * 1024 ** 3 },
});

/**
 * Runs the real engine against the simulated Mac, recording every fact it reads: the capture
 * a user on that Mac would have attached to a bug report.
 */
export async function recordAfternoon(afternoon: Afternoon): Promise<{ bundle: CaptureBundle; unanswered: string[] }> {
  const clock = new ManualClock(CAPTURE_START);
  const mac = new SimulatedMac(afternoon, clock);
  const recording = new RecordingFacts(mac);
  const engine = new Engine({
    facts: recording,
    effects: new ReplayEffects(),
    clock,
    platform: 'darwin',
    host: { platform: 'darwin', arch: 'arm64', hostname: 'mac-mini', uid: UID, cpuCount: 16 },
    readIdentity: async () => ({ ok: true, value: MAC_MINI_IDENTITY }),
    home: HOME,
    config: { input: AFTERNOON_CONFIG, config: resolveConfig(AFTERNOON_CONFIG, HOME), source: 'test' },
    configPath: null,
    history: null,
    settleParts: true,
    replay: false,
    dataDir: null,
    ownPid: 99_999,
    onSampleStart: (at) => recording.beginSample(at),
  });
  for (let i = 0; i < CAPTURE_SAMPLES; i++) {
    clock.set(CAPTURE_START + i * CAPTURE_INTERVAL_MS);
    await engine.tick();
  }
  await engine.identitySettled();
  await engine.stop();
  const bundle: CaptureBundle = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    note:
      afternoon === 'incident'
        ? 'The 2026-05-10 incident on a 64 GiB Mac mini (shared/scenarios/incident-2026-05-10.md), recorded from a simulated Mac that answers in the real macOS formats.'
        : 'A healthy afternoon on the same 64 GiB Mac mini, recorded from a simulated Mac that answers in the real macOS formats.',
    host: { platform: 'darwin', arch: 'arm64', hostname: 'mac-mini', uid: UID, user: 'bert', home: HOME, cpuCount: 16, createdAt: CAPTURE_START, wardenVersion: '0.1.0', timeZone: 'UTC', identity: engine.hostIdentity()! },
    cadence: engine.cadence(),
    config: AFTERNOON_CONFIG,
    samples: recording.samples,
  };
  return { bundle, unanswered: mac.unanswered };
}
