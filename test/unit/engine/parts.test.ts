import { describe, expect, it } from 'vitest';
import { partOf, partViews } from '../../../src/engine/parts.js';

describe('parts of a cycle', () => {
  it('each unknown belongs to its part', () => {
    expect(partOf('service cathedral: probe')).toBe('services');
    expect(partOf('discovery: port 8080')).toBe('services');
    expect(partOf('lock /data/x.db')).toBe('locks');
    expect(partOf('job weekly')).toBe('jobs');
    expect(partOf('memory')).toBe('memory');
    expect(partOf('something new')).toBeNull();
  });

  it('a part with an unknown is not ok; footprint only when read; history only with a data folder', () => {
    const views = partViews({ memory: 0.004, processes: 0.01, services: 0.2, locks: 0.1, jobs: 0 }, [{ part: 'lock /x.db', reason: 'lsof: no answer within 6.0 s' }], null);
    expect(views).toEqual([
      { name: 'memory', ok: true, seconds: 0.004 },
      { name: 'processes', ok: true, seconds: 0.01 },
      { name: 'services', ok: true, seconds: 0.2 },
      { name: 'locks', ok: false, seconds: 0.1 },
      { name: 'jobs', ok: true, seconds: 0 },
      { name: 'config', ok: true, seconds: null },
    ]);
    const withHistory = partViews({ footprint: 0.3, history: 0.002 }, [{ part: 'footprint', reason: 'top -l 1: no answer' }], false);
    expect(withHistory.find((p) => p.name === 'footprint')).toEqual({ name: 'footprint', ok: false, seconds: 0.3 });
    expect(withHistory.find((p) => p.name === 'history')).toEqual({ name: 'history', ok: false, seconds: 0.002 });
  });
});
