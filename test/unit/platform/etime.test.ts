import { describe, expect, it } from 'vitest';
import { parseCpuTime, parseEtime } from '../../../src/platform/etime.js';

describe('parseEtime: the four forms of adv_cmds print.c get_etime (and procps)', () => {
  it.each([
    ['00:05', 5],
    ['12:01', 12 * 60 + 1],
    ['05:11:42', 5 * 3600 + 11 * 60 + 42],
    ['03-02:15:11', 3 * 86400 + 2 * 3600 + 15 * 60 + 11],
    ['101-04:00:10', 101 * 86400 + 4 * 3600 + 10],
    ['2-03:04:05', 2 * 86400 + 3 * 3600 + 4 * 60 + 5],
    ['         07:46', 7 * 60 + 46],
    // Darwin's boundaries are strict `>`: exactly one hour and exactly one day.
    ['60:00', 3600],
    ['24:00:00', 86400],
  ])('%j is %i s', (text, seconds) => {
    expect(parseEtime(text)).toBe(seconds);
  });

  it.each(['', '-', '5', '1:2:3:4', '03-15:11', 'ab:cd', '00:60', '01:60:00', '1-24:00:00', '61:00', '00:05\n00:06'])('throws on %j', (text) => {
    expect(() => parseEtime(text)).toThrow(/^etime: /);
  });

  it('tolerates trailing blanks as well as leading ones', () => {
    expect(parseEtime('  12:34 ')).toBe(754);
  });
});

describe('parseCpuTime', () => {
  it.each([
    // darwin `%ld:%02ld.%02ld` (fastfetch-cli/fastfetch#984 shows 57:24.25 and 1:30.08)
    ['57:24.25', 57 * 60 + 24.25],
    ['1:30.08', 90.08],
    ['0:00.00', 0],
    ['530:11.02', 530 * 60 + 11.02],
    // procps `[DD-]HH:MM:SS`
    ['00:00:02', 2],
    ['01:02:03', 3723],
    ['1-02:03:04', 86400 + 7384],
  ])('%j is %f s', (text, seconds) => {
    expect(parseCpuTime(text)).toBeCloseTo(seconds, 6);
  });

  it.each(['', 'garbage', '1:60.00', '00:61:00', '24:00:00', '1:2.3', '12,5', '-1:00.00'])('throws on %j', (text) => {
    expect(() => parseCpuTime(text)).toThrow(/^cpu time: /);
  });
});
