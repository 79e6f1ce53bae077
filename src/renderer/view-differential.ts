/** The differential under an incident's cause: each usual suspect, measured in, out or not measured, with its number. */
import type { Candidate } from '../common/findings.js';
import { el, hostText } from './dom.js';

const LABEL: Record<Candidate['name'], string> = { memory: 'Memory', cpu: 'CPU', thermal: 'Thermal', disk: 'Disk', log: 'Server log', network: 'Network' };
const VERDICT: Record<Candidate['verdict'], string> = { in: 'in', out: 'ruled out', unknown: 'not measured' };

export function viewDifferential(candidates: readonly Candidate[] | undefined): HTMLElement | null {
  if (!candidates || candidates.length === 0) return null;
  return el(
    'ul',
    { class: 'differential', 'aria-label': 'Candidate causes' },
    ...candidates.map((c) =>
      el(
        'li',
        { class: `candidate verdict-${c.verdict}`, 'data-candidate': c.name },
        el('span', { class: 'candidate-name' }, LABEL[c.name]),
        el('span', { class: 'candidate-verdict' }, VERDICT[c.verdict]),
        hostText(c.text, 120, 'span', 'candidate-text muted'),
      ),
    ),
  );
}
