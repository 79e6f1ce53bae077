import type { JudgedFinding } from '../common/findings.js';
import type { SensesView } from '../common/senses.js';
import { formatDuration } from '../common/format.js';
import { sharePercent, volumeLow, volumeText } from './differential.js';

type Draft = Omit<JudgedFinding, 'since' | 'causes'>;

/** Throttled this long without a calm read is sustained: a finding of its own. */
export const THROTTLE_SUSTAINED_MINUTES = 5;
/** A volume with less than this share free, and less than DISK_CRIT_BYTES, is critical. */
export const DISK_CRIT_PERCENT = 1;
export const DISK_CRIT_BYTES = 1024 ** 3;

/**
 * The senses where they are the symptom: a volume nearly full, sustained throttling. Both are
 * host causes: the alert policy pages them alone only after they have lasted (as memory).
 */
export function senseFindings(senses: SensesView | null | undefined, now: number): Draft[] {
  if (!senses) return [];
  const out: Draft[] = [];
  if (senses.disk.ok) {
    for (const volume of senses.disk.value.volumes.filter(volumeLow)) {
      const percent = volume.totalBytes > 0 ? (100 * volume.availableBytes) / volume.totalBytes : 0;
      const swap = volume.roles.includes('swap') ? ' — swap cannot grow' : '';
      out.push({
        key: `disk:${volume.path}:low`,
        about: { kind: 'disk', path: volume.path, holdsSwap: volume.roles.includes('swap'), signal: 'low' },
        severity: percent < DISK_CRIT_PERCENT && volume.availableBytes < DISK_CRIT_BYTES ? 'crit' : 'warn',
        // The title names the share (it changes seldom); the bytes are in the evidence.
        title: `Disk nearly full: ${volume.path}, ${sharePercent(percent)} % free${swap}`,
        evidence: [
          { label: 'free', text: volumeText(volume), value: volume.availableBytes, unit: 'bytes' },
          { label: 'holds', text: `${volume.roles.join(', ')}: ${volume.paths.join(', ')}` },
        ],
        actions: [],
        subject: { kind: 'host', id: volume.path },
      });
    }
  }
  const thermal = senses.thermal.ok ? senses.thermal.value : null;
  if (thermal?.throttled && thermal.throttledSince !== null && now - thermal.throttledSince >= THROTTLE_SUSTAINED_MINUTES * 60_000) {
    const lasted = formatDuration((now - thermal.throttledSince) / 1000);
    out.push({
      key: 'thermal:throttled',
      about: { kind: 'thermal', signal: 'throttled' },
      severity: 'warn',
      title: `CPU throttled: ${thermal.summary}`,
      evidence: [
        { label: 'thermal', text: `${thermal.summary} (${thermal.source})` },
        { label: 'for', text: lasted, value: (now - thermal.throttledSince) / 1000, unit: 'seconds' },
      ],
      actions: [],
      subject: { kind: 'host', id: 'thermal' },
    });
  }
  return out;
}
