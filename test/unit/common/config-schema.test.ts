/**
 * The config's shape is written once (src/common/config-schema.ts): the IPC and HTTP checks, the
 * engine's check of a file, the defaults, electron-store's schema and the settings form all read
 * it, so none can drift from it.
 */
import { describe, expect, it } from 'vitest';
import { formField, schemaAt } from '../../../src/common/config-facts.js';
import { CONFIG_SCHEMA, ServiceSchema, ThresholdsSchema } from '../../../src/common/config-schema.js';
import { checkInvoke } from '../../../src/common/ipc.js';
import { checkOf } from '../../../src/common/schema-check.js';
import { configFacts } from '../../../src/engine/config-facts.js';
import { checkConfig, CONFIG_JSON_SCHEMA, ConfigError, resolveConfig } from '../../../src/engine/config.js';
import { createEngine } from '../../../src/engine/create.js';
import { DEFAULT_NOTIFICATIONS, DEFAULT_SETTINGS, DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import { settingsStoreOptions } from '../../../src/main/settings-store.js';
import { THRESHOLD_ORDER } from '../../../src/renderer/settings.js';

const problem = (channel: string, args: unknown[]) => {
  const checked = checkInvoke(channel, args);
  return checked.ok ? null : checked.problem;
};
const cathedral = { name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models' };

describe('one config schema', () => {
  it('bounds a probe:test timeout exactly as a file: 0.1 to 300 s', () => {
    expect(problem('probe:test', [{ ...cathedral, timeoutSeconds: 604800 }])).toBe('probe:test: service.timeoutSeconds: must be at most 300');
    expect(problem('probe:test', [{ ...cathedral, timeoutSeconds: 0.05 }])).toBe('probe:test: service.timeoutSeconds: must be at least 0.1');
    expect(problem('probe:test', [{ ...cathedral, timeoutSeconds: 300 }])).toBeNull();
    expect(checkConfig({ services: [{ ...cathedral, timeoutSeconds: 604800 }] }).map((p) => p.field)).toEqual(['services.0.timeoutSeconds']);
  });

  it('checks every field a file may give a service at the door, and only those', () => {
    expect(problem('probe:test', [{ ...cathedral, logs: [{ path: '/var/log/llama.log', builtin: 'llama.cpp' }] }])).toBeNull();
    expect(problem('probe:test', [{ ...cathedral, logs: [{ path: '/l', builtin: 'vllm' }] }])).toBe('probe:test: service.logs.0.builtin: must be one of "llama.cpp"');
    expect(problem('probe:test', [{ ...cathedral, canary: { url: 'http://127.0.0.1:1337/v1/chat', intervalSeconds: 1 } }])).toBe('probe:test: service.canary.intervalSeconds: must be at least 5');
    expect(problem('probe:test', [{ ...cathedral, supervisor: { kind: 'launchd', label: 'x', domain: 'nobody/1' } }])).toMatch(/service.supervisor.domain: must match/);
  });

  it('testProbe refuses a service a file could not hold, before any probe', async () => {
    const engine = await createEngine({ configPath: '/nonexistent/warden/config.json', dataDir: null, log: () => undefined });
    await expect(engine.testProbe({ name: 'x', url: 'http://exa mple/' })).rejects.toThrow(ConfigError);
    await expect(engine.testProbe({ name: 'x', url: 'http://exa mple/' })).rejects.toThrow(/service.url: is not a valid http\(s\) URL/);
    await expect(engine.testProbe({ name: 'x', url: 'http://127.0.0.1:9/', logs: [{ path: 'relative.log', pattern: '(\\d+)' }] })).rejects.toThrow(/service.logs.0.path: must be an absolute path/);
  });

  it('the defaults are the schema\'s and fit it', () => {
    const defaults = { ...DEFAULT_SETTINGS, thresholds: DEFAULT_THRESHOLDS, notifications: DEFAULT_NOTIFICATIONS };
    expect(checkConfig(defaults)).toEqual([]);
    expect(resolveConfig({}, '/Users/op')).toMatchObject(defaults);
    expect(Object.keys(DEFAULT_THRESHOLDS)).toEqual(Object.keys(ThresholdsSchema.properties));
    expect(DEFAULT_THRESHOLDS).toMatchObject({ arrivalMinBytes: 2 * 1024 ** 3, growthMinBytesPerHour: 0.5e9, swapOutWarnBytesPerSec: 1024 ** 2, probeFailuresN: 3, jobGraceMinutes: 60 });
    expect(DEFAULT_NOTIFICATIONS).toEqual({ onWarn: false, recovery: true, recoveryAfterCycles: 3, reminderHours: null, quietHours: null, pendingCycles: 2, pendingWindow: 3, groupSeconds: 30, channels: [] });
    expect(DEFAULT_SETTINGS).toEqual({ intervalSeconds: 5, discovery: true, launchAtLogin: false, app: { globalShortcut: null } });
  });

  it('the form\'s limits, labels and units are the schema\'s', () => {
    const facts = configFacts('/Users/op');
    for (const [path, limits] of Object.entries(facts.limits)) expect(formField(path.split('.')).limits, path).toEqual(limits);
    expect(formField(['services', 3, 'timeoutSeconds'])).toEqual({ label: 'Answer within', unit: 's', scale: 1, limits: { minimum: 0.1, maximum: 300 } });
    expect(formField(['thresholds', 'arrivalMinBytes'])).toMatchObject({ unit: 'GiB', scale: 1024 ** 3, limits: { minimum: 0 } });
    expect(formField(['jobs', 0, 'supervisor', 'unit']).label).toBe('systemd unit');
    expect([...THRESHOLD_ORDER].sort()).toEqual(Object.keys(ThresholdsSchema.properties).sort());
    for (const key of THRESHOLD_ORDER) expect(schemaAt(['thresholds', key])?.title, key).toBeTruthy();
  });

  it('electron-store, the engine and the build read the same schema', () => {
    expect(CONFIG_JSON_SCHEMA).toBe(CONFIG_SCHEMA);
    expect(settingsStoreOptions('/x/config.json', CONFIG_SCHEMA, false).schema).toBe(CONFIG_SCHEMA.properties);
    // The build ships the schema as JSON: the check reads that the same as TypeBox's object.
    const asJson = checkOf(JSON.parse(JSON.stringify(ServiceSchema)) as never);
    for (const service of [cathedral, { ...cathedral, port: 70000 }, { ...cathedral, supervisor: { kind: 'shell' } }, { url: cathedral.url }]) {
      expect(asJson(service, 'service')).toBe(checkOf(ServiceSchema)(service, 'service'));
    }
  });
});
