/** The app's powerMonitor thermal state feeds the engine's thermal sense (Electron faked by its event surface). */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchThermalState } from '../../../src/main/thermal.js';
import { SenseMonitor, withAppState } from '../../../src/engine/senses.js';
import { parsePmsetTherm } from '../../../src/platform/darwin/pmset.js';
import { ScriptedFacts, ok } from '../../support/scripted-facts.js';
import type { AppThermalState, ThermalView } from '../../../src/common/senses.js';

class FakePowerMonitor extends EventEmitter {
  constructor(private readonly state: string) {
    super();
  }
  getCurrentThermalState(): string {
    return this.state;
  }
}

const calm = parsePmsetTherm('Note: No thermal warning level has been recorded\nNote: No performance warning level has been recorded\n') as ThermalView;

describe('the app thermal state', () => {
  it('is read at once and at every change; a value Electron does not document is null', () => {
    const seen: Array<AppThermalState | null> = [];
    const monitor = new FakePowerMonitor('nominal');
    watchThermalState(monitor, { setAppThermalState: (s) => seen.push(s) }, () => undefined);
    monitor.emit('thermal-state-change', { state: 'serious' });
    monitor.emit('thermal-state-change', { state: 'boiling' });
    expect(seen).toEqual(['nominal', 'serious', null]);
  });

  it('serious and critical are throttling beside a calm pmset; alone they are the reading', () => {
    expect(withAppState({ ok: true, value: calm }, 'fair')).toMatchObject({ ok: true, value: { throttled: false, appState: 'fair', summary: 'no thermal or performance warning recorded' } });
    expect(withAppState({ ok: true, value: calm }, 'serious')).toMatchObject({ ok: true, value: { throttled: true, appState: 'serious', summary: 'macOS thermal state serious' } });
    expect(withAppState({ ok: false, reason: 'pmset -g therm: no answer within 3.0 s' }, 'critical')).toMatchObject({ ok: true, value: { source: 'powerMonitor', throttled: true } });
    expect(withAppState({ ok: false, reason: 'x' }, null)).toEqual({ ok: false, reason: 'x' });
  });

  it('reaches the sense the next cycle reads', async () => {
    const facts = new ScriptedFacts().on((argv) => (argv[0] === 'pmset' ? ok(argv, 'Note: No thermal warning level has been recorded\n') : null));
    const monitor = new SenseMonitor();
    monitor.configure({ platform: 'darwin', home: '/Users/bert', services: [], modelFolders: [], dataDir: null });
    const power = new FakePowerMonitor('nominal');
    watchThermalState(power, monitor, () => undefined);
    expect((await monitor.poll(facts, 1)).thermal).toMatchObject({ ok: true, value: { throttled: false, appState: 'nominal' } });
    power.emit('thermal-state-change', { state: 'critical' });
    expect((await monitor.poll(facts, 2)).thermal).toMatchObject({ ok: true, value: { throttled: true, throttledSince: 2, appState: 'critical' } });
  });
});
