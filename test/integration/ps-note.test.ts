/**
 * One odd ps line is a note, not an unknown host; a negative uid is a uid. Through the real
 * engine on the simulated Mac (real ps format), with the rows real Macs print for `nobody`
 * (uid -2, Apple's ps formats the uid with %d) and one line that is not a ps row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { CommandResult, RunOptions } from '../../src/platform/facts.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import { CAPTURE_START, HOME, SimulatedMac, UID } from '../support/simulated-mac.js';
import { DelegatingFacts } from '../support/delegating-facts.js';

/** A 1.2 GB process of nobody (so it is listed), the two real nobody rows, and one stray line mid-table. */
const NOBODY_ROWS = [
  '  427     1    -2      176   0.0    0:00.22  3-01:12:09 /usr/libexec/dhcp6d',
  '  647     1    -2      240   0.0    0:11.95  3-01:12:06 /usr/sbin/distnoted agent',
  '  880     1    -2  1200000   0.3    1:02.00  2-00:00:00 /usr/local/bin/nobody-cache --size 1g',
];
const STRAY = 'ps: warning: a line that is not a row';

class OddPsMac extends DelegatingFacts {
  constructor(clock: ManualClock) {
    super(new SimulatedMac('healthy', clock));
  }

  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const answer = await this.inner.run(argv, options);
    if (argv[0] !== 'ps' || answer.exitCode !== 0) return answer;
    const lines = answer.stdout.trimEnd().split('\n');
    lines.splice(3, 0, STRAY, ...NOBODY_ROWS);
    return { ...answer, stdout: `${lines.join('\n')}\n` };
  }
}

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

describe('ps on a real Mac (real engine, simulated Mac)', () => {
  it('keeps the rows of nobody and says one skipped line in notes, without turning anything grey', async () => {
    const clock = new ManualClock(CAPTURE_START);
    const input: WardenConfigInput = { intervalSeconds: 5, discovery: false, services: [] };
    const engine = new Engine({
      facts: new OddPsMac(clock),
      effects: new ReplayEffects(),
      clock,
      platform: 'darwin',
      host: { platform: 'darwin', arch: 'arm64', hostname: 'mac-mini', uid: UID, cpuCount: 16 },
      home: HOME,
      config: { input, config: resolveConfig(input, HOME), source: 'test' },
      configPath: null,
      history: null,
      settleParts: true,
      replay: false,
      dataDir: null,
      ownPid: 99_999,
    });
    engines.push(engine);
    await engine.tick();
    clock.advance(5_000);
    const state = await engine.tick();

    expect(state.notes).toContain('1 line of ps output did not have the expected columns and was left out');
    expect(state.unknowns).toEqual([]);
    expect(state.findings.filter((f) => f.severity === 'unknown')).toEqual([]);
    expect(state.level).toBe('ok');
    const nobody = state.thieves.find((t) => t.pid === 880);
    expect(nobody?.name).toBe('nobody-cache');
  });
});
