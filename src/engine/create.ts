import os from 'node:os';
import path from 'node:path';
import type { HostInfo } from '../common/state.js';
import { LiveFacts } from '../platform/live.js';
import { RecordingFacts } from '../platform/recording.js';
import { ReplayFacts } from '../platform/replay.js';
import { LiveEffects, ReplayEffects } from '../platform/effects.js';
import { ManualClock, systemClock, type Clock } from '../platform/clock.js';
import { CaptureError, CAPTURE_FORMAT, CAPTURE_VERSION, type CaptureBundle, type CaptureCadence } from '../platform/capture.js';
import { systemTimeZone } from '../common/zoned-time.js';
import { replayCadence } from './replay-cadence.js';
import { checkConfig, loadConfigFile, resolveConfig, type LoadedConfig } from './config.js';
import { cacheDir, configPath as defaultConfigPath, dataDir as defaultDataDir } from './paths.js';
import { cachedIdentityReader, IDENTITY_CACHE_FILE } from '../platform/identity-cache.js';
import { HistoryStore } from './history.js';
import type { AlertSnapshot } from './alerts.js';
import { Engine } from './engine.js';
import { ChannelHub } from './channels/hub.js';
import { withoutChannelSecrets } from './channels/secrets.js';
import { readHostIdentity } from '../platform/host-identity.js';
import type { HostIdentity } from '../common/host-identity.js';

export type HostPlatform = 'darwin' | 'linux';

export function hostPlatform(): HostPlatform {
  if (process.platform === 'darwin' || process.platform === 'linux') return process.platform;
  throw new Error(`Warden reads macOS and Linux hosts; this is ${process.platform}`);
}

export function liveHost(): HostInfo {
  return {
    platform: process.platform,
    arch: process.arch,
    hostname: os.hostname(),
    uid: process.getuid?.() ?? -1,
    cpuCount: os.cpus().length,
  };
}

export interface LiveOptions {
  configPath?: string;
  /** Where history, alert state and the action log live; null keeps nothing on disk. */
  dataDir?: string | null;
  /** Config already loaded by the caller (so a bad file is reported before anything starts). */
  config?: LoadedConfig;
  log?: (line: string) => void;
  clock?: Clock;
  /** Sampling interval from the command line; kept over the config file's at every reload. */
  intervalSeconds?: number;
  /**
   * Deliver notices to the configured channels (webhook, ntfy, Slack): the long-running
   * engines (the app, `watch`, `serve`) do; one-shot commands never page anyone.
   */
  deliver?: boolean;
}

/** The engine on this host, as the app, `warden watch` and `warden serve` run it. */
export async function createEngine(options: LiveOptions = {}): Promise<Engine> {
  const file = options.configPath ?? defaultConfigPath();
  const home = os.homedir();
  const config = options.config ?? (await loadConfigFile(file, home));
  const dir = options.dataDir === undefined ? defaultDataDir() : options.dataDir;
  const clock = options.clock ?? systemClock;
  const { history, snapshot } = dir ? await openHistory(dir, clock.now()) : { history: null, snapshot: null };
  const host = liveHost();
  // Only a long-running engine with a data folder delivers: its queue lives there.
  const channels = history && options.deliver ? await ChannelHub.open({ history, host, now: () => clock.now(), ...(options.log ? { log: options.log } : {}) }) : null;
  return new Engine(
    {
      facts: new LiveFacts(),
      effects: new LiveEffects(),
      clock,
      platform: hostPlatform(),
      host,
      home,
      config,
      configPath: file,
      history,
      channels,
      settleParts: false,
      replay: false,
      dataDir: dir,
      readIdentity: cachedIdentityReader(path.join(cacheDir(), IDENTITY_CACHE_FILE), () => readHostIdentity()),
      ...(options.log ? { log: options.log } : {}),
      ...(options.intervalSeconds === undefined ? {} : { intervalSeconds: options.intervalSeconds }),
    },
    snapshot,
  );
}

/**
 * The data folder's history and the alert snapshot to resume from, reconciled: incidents the
 * history holds open but the snapshot does not are closed (see HistoryStore.closeForgotten).
 */
export async function openHistory(dir: string, now: number): Promise<{ history: HistoryStore; snapshot: AlertSnapshot | null }> {
  const history = await HistoryStore.open(dir, { writer: true });
  const snapshot = await history.loadAlertSnapshot();
  const stillOpen = new Set((snapshot?.incidents ?? []).filter((i) => i.closedAt === null).map((i) => i.id));
  await history.closeForgotten(stillOpen, now);
  return { history, snapshot };
}

/**
 * `warden capture`: the live engine with every fact it reads kept, one sample per cycle, at
 * `intervalSeconds` (recorded in the bundle's cadence). The config is read once: the bundle
 * holds the config the whole capture ran with, so it is not reloaded meanwhile.
 */
export function createRecordingEngine(config: LoadedConfig, intervalSeconds: number, clock: Clock = systemClock): { engine: Engine; recording: RecordingFacts } {
  const recording = new RecordingFacts(new LiveFacts());
  config = { ...config, config: { ...config.config, intervalSeconds } };
  const engine = new Engine({
    facts: recording,
    effects: new ReplayEffects(),
    clock,
    platform: hostPlatform(),
    host: liveHost(),
    home: os.homedir(),
    config,
    configPath: null,
    history: null,
    settleParts: true,
    replay: false,
    dataDir: null,
    readIdentity: () => readHostIdentity(),
    onSampleStart: (at) => recording.beginSample(at),
  });
  return { engine, recording };
}

export function bundleFrom(recording: RecordingFacts, configInput: unknown, cadence: CaptureCadence, version: string, note?: string, identity: HostIdentity | null = null): CaptureBundle {
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    host: {
      platform: process.platform,
      arch: process.arch,
      hostname: os.hostname(),
      uid: process.getuid?.() ?? -1,
      user: os.userInfo().username,
      home: os.homedir(),
      cpuCount: os.cpus().length,
      createdAt: recording.samples[0]?.at ?? Date.now(),
      wardenVersion: version,
      timeZone: systemTimeZone(),
      ...(identity ? { identity } : {}),
    },
    cadence,
    // A capture goes into bug reports: the channels' URLs and bearers stay behind.
    config: withoutChannelSecrets(configInput),
    ...(note ? { note } : {}),
    samples: recording.samples,
  };
}

export interface ReplaySession {
  engine: Engine;
  facts: ReplayFacts;
  clock: ManualClock;
  /** Runs one cycle per sample, in order; resolves with the state after the last. */
  runAll(onSample?: (index: number) => void): Promise<ReturnType<Engine['currentState']>>;
}

/** The same engine on a capture, on any OS: the bundle's own host, config and clock. */
export function createReplayEngine(bundle: CaptureBundle, override?: LoadedConfig): ReplaySession {
  const platform = bundle.host.platform;
  if (platform !== 'darwin' && platform !== 'linux') throw new CaptureError(`capture host platform "${platform}" is not darwin or linux`);
  const home = bundle.host.home ?? (platform === 'darwin' ? `/Users/${bundle.host.user}` : `/home/${bundle.host.user}`);
  let config = override;
  if (!config) {
    const input = (bundle.config ?? {}) as object;
    const problems = checkConfig(input);
    if (problems.length > 0) {
      throw new CaptureError(`the capture's config is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    }
    config = { input, config: resolveConfig(input, home), source: 'the capture' };
  }
  const cadence = replayCadence(bundle, config.config.intervalSeconds);
  config = { ...config, config: { ...config.config, intervalSeconds: cadence.intervalSeconds } };
  const facts = new ReplayFacts(bundle);
  const clock = new ManualClock(bundle.samples[0]!.at);
  const engine = new Engine({
    facts,
    effects: new ReplayEffects(),
    clock,
    platform,
    host: {
      platform,
      arch: bundle.host.arch,
      hostname: bundle.host.hostname,
      uid: bundle.host.uid,
      cpuCount: bundle.host.cpuCount ?? 1,
      identity: bundle.host.identity ?? null,
    },
    home,
    config,
    configPath: null,
    history: null,
    settleParts: true,
    replay: true,
    dataDir: null,
    probeCadence: cadence.probes,
    notes: cadence.notes,
    ...(cadence.timeZone ? { timeZone: cadence.timeZone } : {}),
  });
  return {
    engine,
    facts,
    clock,
    async runAll(onSample) {
      for (let i = 0; i < bundle.samples.length; i++) {
        facts.useSample(i);
        clock.set(bundle.samples[i]!.at);
        await engine.tick();
        onSample?.(i);
      }
      return engine.currentState();
    },
  };
}
