import pc from 'picocolors';
import type { Candidate } from '../common/findings.js';
import { plainText } from '../common/text.js';

const LABEL: Record<Candidate['name'], string> = { memory: 'memory', cpu: 'CPU', thermal: 'thermal', disk: 'disk', log: 'log', network: 'network' };
const VERDICT: Record<Candidate['verdict'], (s: string) => string> = { in: pc.red, out: pc.green, unknown: pc.gray };

/** The differential under an incident: one candidate a line, its verdict and the number behind it. */
export function differentialLines(candidates: readonly Candidate[] | undefined): string[] {
  if (!candidates || candidates.length === 0) return [];
  return [
    '  differential:',
    ...candidates.map((c) => `    ${VERDICT[c.verdict](c.verdict.padEnd(7))} ${LABEL[c.name].padEnd(7)}  ${plainText(c.text, 200)}`),
  ];
}
