/**
 * The disk and load senses on this host, live: statfs of a 16 MiB tmpfs that is filled (in a
 * user and mount namespace, so no root is needed; where the kernel refuses one, a real path's
 * statfs is checked against df), and the load averages against the cores.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFacts } from '../../src/platform/live.js';
import { readVolumes } from '../../src/platform/disk.js';
import { readLoad } from '../../src/engine/senses.js';
import { cpuCandidate, diskCandidate } from '../../src/engine/differential.js';
import { bundleForChild } from '../support/bundle-child.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const namespaces = process.platform === 'linux' && spawnSync('unshare', ['-rm', 'true'], { timeout: 10_000 }).status === 0;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-disk-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('disk: statfs, live', () => {
  it.runIf(namespaces)('a 16 MiB tmpfs filled to 97 %: out at 100 % free, out at 50 %, in under 5 % (skipped where unshare -rm cannot make a user namespace to mount it in)', async () => {
    const child = await bundleForChild('test/support/disk-child.ts', path.join(dir, 'disk-child.mjs'));
    const mount = path.join(dir, 'mnt');
    const script = 'mkdir -p "$1" && mount -t tmpfs -o size=16m tmpfs "$1" && exec "$2" "$3" "$1"';
    const { stdout } = await run('unshare', ['-rm', 'sh', '-c', script, 'sh', mount, process.execPath, child], { timeout: 60_000 });
    const steps = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(steps).toHaveLength(3);
    for (const step of steps) {
      expect(step.disk.ok).toBe(true);
      // The missing path is left out, not an error: only paths that exist.
      expect(step.disk.value.volumes).toHaveLength(1);
      expect(step.disk.value.volumes[0]).toMatchObject({ path: mount, roles: ['models'], paths: [mount], totalBytes: 16 * MiB });
    }
    const free = steps.map((s) => s.disk.value.volumes[0].availableBytes);
    expect(free[0]).toBe(16 * MiB);
    expect(free[1]).toBe(8 * MiB);
    expect(free[2]).toBe(0.5 * MiB);
    expect(steps.map((s) => s.candidate)).toEqual([
      { name: 'disk', verdict: 'out', text: '100 % free' },
      { name: 'disk', verdict: 'out', text: '50 % free' },
      { name: 'disk', verdict: 'in', text: `512 KiB free on ${mount} (3 %)` },
    ]);
  }, 120_000);

  it('a real path: statfs agrees with df, one volume for two paths on it', async () => {
    const disk = await readVolumes(new LiveFacts(), [{ path: dir, role: 'models' }, { path: os.tmpdir(), role: 'data' }, { path: '/nonexistent/warden', role: 'swap' }]);
    expect(disk.ok).toBe(true);
    if (!disk.ok) return;
    expect(disk.value.volumes).toHaveLength(1);
    const volume = disk.value.volumes[0]!;
    expect(volume.roles).toEqual(['models', 'data']);
    const { stdout } = await run('df', ['-B1', '--output=size,avail', dir], { timeout: 30_000 });
    const [size, avail] = stdout.trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    expect(volume.totalBytes).toBe(size);
    // Others write to this file system meanwhile: within 1 %.
    expect(Math.abs(volume.availableBytes - avail!)).toBeLessThan(size! * 0.01);
    const verdict = diskCandidate(disk, { thermal: { ok: false, reason: '-' }, disk, load: { ok: false, reason: '-' }, logs: [] });
    expect(verdict.verdict).toBe((100 * volume.availableBytes) / volume.totalBytes < 5 ? 'in' : 'out');
  });

  it('no path exists: unknown, naming them', async () => {
    const disk = await readVolumes(new LiveFacts(), [{ path: '/nonexistent/a', role: 'swap' }]);
    expect(disk).toEqual({ ok: false, reason: 'none of /nonexistent/a exists' });
  });
});

describe('load averages, live', () => {
  it('reads three averages against os.availableParallelism(), and judges them', async () => {
    const load = await readLoad(new LiveFacts());
    expect(load.ok).toBe(true);
    if (!load.ok) return;
    expect(load.value.cores).toBe(os.availableParallelism());
    expect(load.value.loadavg).toHaveLength(3);
    for (const l of load.value.loadavg) expect(l).toBeGreaterThanOrEqual(0);
    const senses = { thermal: { ok: false as const, reason: '-' }, disk: { ok: false as const, reason: '-' }, load, logs: [] };
    const candidate = cpuCandidate(load, [], senses);
    expect(candidate.text).toBe(`load ${load.value.loadavg[0].toFixed(1)} / ${load.value.cores}`);
    expect(candidate.verdict).toBe(load.value.loadavg[0] >= load.value.cores ? 'in' : 'out');
  });

  it('the seed: 19.49 on 16 cores is in, with the thieves’ share; 8.03 is out', () => {
    const senses = (l: number) => ({ thermal: { ok: false as const, reason: '-' }, disk: { ok: false as const, reason: '-' }, load: { ok: true as const, value: { loadavg: [l, l, l] as [number, number, number], cores: 16 } }, logs: [] });
    const qemu = { name: 'qemu-system-aarch64', cpuPercent: 368, sustainedCpu: { averagePercent: 368, minutes: 27 }, reasons: ['cpu'] } as never;
    expect(cpuCandidate(senses(19.49).load, [qemu], senses(19.49))).toEqual({ name: 'cpu', verdict: 'in', text: 'load 19.5 / 16; qemu-system-aarch64 368% (3.7 cores)' });
    expect(cpuCandidate(senses(8.03).load, [], senses(8.03))).toEqual({ name: 'cpu', verdict: 'out', text: 'load 8.0 / 16' });
  });
});
