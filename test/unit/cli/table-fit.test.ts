import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cutTo, displayWidth, renderTable, terminalColumns, wrapToFit } from '../../../src/cli/table.js';
import { availability } from '../../../src/cli/render.js';
import type { ServiceView } from '../../../src/common/services.js';

describe('renderTable', () => {
  const head = ['NAME', 'STATE', 'DETAIL'];
  const rows = [
    ['cathedral', 'orphaned', 'PID 4242 serves port 1337, but launchd job gui/501/com.sanctum.mlx is not loaded'],
    ['lm-studio', 'running', 'PID 1500 serves port 1234'],
  ];

  it('cuts the widest column with an ellipsis until the table fits', () => {
    const text = renderTable(head, rows, { columns: 50, wide: false });
    const lines = text.split('\n');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(50);
    expect(lines[1]).toMatch(/^ {2}cathedral {2}orphaned {2}PID 4242.*…$/);
    // The narrow columns are left whole.
    expect(lines[2]).toMatch(/^ {2}lm-studio {2}running {3}PID 1500 serves port 1234$/);
  });

  it('prints every cell whole when wide or when the width is not known', () => {
    for (const fit of [{ columns: 50, wide: true }, { columns: null, wide: false }]) {
      expect(renderTable(head, rows, fit)).toContain('com.sanctum.mlx is not loaded');
    }
  });

  it('leaves no trailing spaces and no blank header', () => {
    // What the terminal shows: the header is dimmed where colour is on (CI=true turns it on).
    const lines = stripVTControlCharacters(renderTable(head, rows, { columns: 200, wide: false })).split('\n');
    expect(lines[0]).toMatch(/^ {2}NAME {7}STATE {5}DETAIL$/);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });
});

describe('the terminal width', () => {
  it('is the tty columns, else $COLUMNS, else unknown', () => {
    expect(terminalColumns({ isTTY: true, columns: 97 }, { COLUMNS: '80' })).toBe(97);
    expect(terminalColumns({ isTTY: false }, { COLUMNS: '80' })).toBe(80);
    expect(terminalColumns({ isTTY: false }, { COLUMNS: 'wide' })).toBeNull();
    expect(terminalColumns({ isTTY: false }, {})).toBeNull();
  });

  it('prose wraps at spaces under its own indent', () => {
    const text = wrapToFit('  cause: memory pressure: swap 10.1 GiB used, 820 MiB free of 64 GiB (1.7 GiB available)', { columns: 40, wide: false });
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {4}\S/);
    expect(cutTo('abcdef', 4)).toBe('abc…');
  });
});

describe('availability', () => {
  const service = (availability1h: number | null, samples1h: number) => ({ probe: { availability1h, samples1h } }) as unknown as ServiceView;
  it('shows its sample count until there are 30 probes in the hour', () => {
    expect(availability(service(1, 1))).toBe('100% of 1');
    expect(availability(service(0.5, 4))).toBe('50% of 4');
    expect(availability(service(1, 30))).toBe('100%');
    expect(availability(service(null, 0))).toBe('-');
  });
});
