/**
 * Host identity: read through systeminformation on this host (live), and read by the engine
 * once at start and again after a wake, beside the loop: a cycle never waits for it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { identityFrom, readHostIdentity } from '../../src/platform/host-identity.js';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { HostIdentity } from '../../src/common/host-identity.js';
import type { Part } from '../../src/common/result.js';
import { ScriptedFacts } from '../support/scripted-facts.js';
import { MAC_MINI_IDENTITY } from '../support/record-afternoon.js';

describe('host identity', () => {
  it.runIf(process.platform === 'linux')('this host, live: the OS from /etc/os-release, the cores and memory Node sees', async () => {
    const part = await readHostIdentity();
    expect(part.ok).toBe(true);
    if (!part.ok) return;
    const release = Object.fromEntries(
      readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
    );
    expect(part.value.os).toBe(`${release.NAME} ${release.VERSION_ID}`);
    expect(part.value.cores.logical).toBe(os.cpus().length);
    expect(part.value.memoryBytes).toBe(os.totalmem());
    expect(part.value.summary.startsWith(part.value.os)).toBe(true);
  }, 60_000);

  it('Apple Silicon: the P and E split, the GPU named once when it is the chip', () => {
    expect(MAC_MINI_IDENTITY.summary).toBe('macOS 15.4 · Mac mini · Apple M4 Pro, 16 cores (12 P + 4 E) · 64 GiB');
    const intel = identityFrom({
      osInfo: { platform: 'darwin', release: '13.6.7' },
      system: { model: 'MacBookPro16,1' },
      cpu: { manufacturer: 'Intel®', brand: 'Core™ i9-9880H', cores: 16, physicalCores: 8 },
      graphics: { controllers: [{ model: 'Intel UHD Graphics 630' }, { model: 'AMD Radeon Pro 5500M' }] },
      mem: { total: 32 * 1024 ** 3 },
    });
    expect(intel.summary).toBe('macOS 13.6.7 · MacBookPro16,1 · Intel Core i9-9880H, 8 cores · 32 GiB · GPU Intel UHD Graphics 630, AMD Radeon Pro 5500M');
  });

  it('the engine reads it at the first cycle and after a wake, never holding a cycle for it', async () => {
    const clock = new ManualClock(Date.UTC(2026, 4, 10, 14, 0, 0));
    const pending: Array<(part: Part<HostIdentity>) => void> = [];
    const engine = new Engine({
      facts: new ScriptedFacts(),
      effects: new ReplayEffects(),
      clock,
      platform: 'linux',
      host: { platform: 'linux', arch: 'x64', hostname: 'box', uid: 1000, cpuCount: 2 },
      home: '/home/bert',
      config: { input: { discovery: false }, config: resolveConfig({ discovery: false, intervalSeconds: 5 }, '/home/bert'), source: 'test' },
      configPath: null,
      history: null,
      settleParts: true,
      replay: false,
      dataDir: null,
      readIdentity: () => new Promise((resolve) => pending.push(resolve)),
    });
    // The read has not answered: the cycle finishes anyway, without an identity.
    let state = await engine.tick();
    expect(pending).toHaveLength(1);
    expect(state.host.identity).toBeNull();
    pending[0]!({ ok: true, value: MAC_MINI_IDENTITY });
    await engine.identitySettled();
    for (let i = 0; i < 5; i++) {
      clock.advance(5_000);
      state = await engine.tick();
    }
    expect(pending).toHaveLength(1);
    expect(state.host.identity?.summary).toBe(MAC_MINI_IDENTITY.summary);
    // A gap of more than three intervals is a wake: read again.
    clock.advance(60 * 60_000);
    await engine.tick();
    expect(pending).toHaveLength(2);
    pending[1]!({ ok: false, reason: 'host identity: no answer' });
    await engine.identitySettled();
    clock.advance(5_000);
    // A failed re-read keeps the last identity read.
    expect((await engine.tick()).host.identity?.summary).toBe(MAC_MINI_IDENTITY.summary);
    await engine.stop();
  }, 60_000);

  it('warden status keeps the identity it read, and the next status on this boot is given it without reading', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'warden-identity-live-'));
    try {
      const status = async () => {
        const { stdout } = await promisify(execFile)(process.execPath, ['bin/warden.js', 'status', '--json'], { env: { ...process.env, WARDEN_HOME: home }, timeout: 60_000 });
        return (JSON.parse(stdout) as { host: { identity: HostIdentity | null } }).host.identity;
      };
      // The first status reads it beside its two samples (on a loaded host it may print before
      // the read answers) and keeps it before it exits.
      const first = await status();
      const kept = path.join(home, 'cache', 'host-identity.json');
      const identity = (JSON.parse(readFileSync(kept, 'utf8')) as { identity: HostIdentity }).identity;
      expect(identity.summary).toBeTruthy();
      if (first) expect(first).toEqual(identity);
      const keptAt = statSync(kept).mtimeMs;
      // Given the kept one: the same identity, and the file not written again (no fresh read).
      expect(await status()).toEqual(identity);
      expect(statSync(kept).mtimeMs).toBe(keptAt);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
