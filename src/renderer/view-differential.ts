/**
 * The differential under an incident's cause: one line at a glance (which suspects are in, ruled
 * out, not measured), each one's number behind a disclosure that stays open across re-renders.
 */
import type { Candidate } from '../common/findings.js';
import { el, hostText } from './dom.js';

const LABEL: Record<Candidate['name'], string> = { memory: 'Memory', cpu: 'CPU', thermal: 'Thermal', disk: 'Disk', log: 'Server log', network: 'Network' };
const VERDICT: Record<Candidate['verdict'], string> = { in: 'in', out: 'ruled out', unknown: 'not measured' };
const ORDER: Candidate['verdict'][] = ['in', 'out', 'unknown'];

let numbersOpen = false;

export function viewDifferential(candidates: readonly Candidate[] | undefined): HTMLElement | null {
  if (!candidates || candidates.length === 0) return null;
  const groups = ORDER.map((verdict) => ({ verdict, names: candidates.filter((c) => c.verdict === verdict).map((c) => LABEL[c.name]) })).filter((g) => g.names.length > 0);
  // The glance is the disclosure's own summary line: one line, the numbers one click away.
  const glance = el('summary', { class: 'differential-glance' }, ...groups.map((g) => el('span', { class: `verdict-${g.verdict}` }, el('span', { class: 'candidate-verdict' }, VERDICT[g.verdict]), g.names.join(', '))));
  const numbers = el(
    'details',
    { class: 'evidence-more differential-numbers' },
    glance,
    el(
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
    ),
  );
  numbers.open = numbersOpen;
  numbers.addEventListener('toggle', () => {
    numbersOpen = numbers.open;
  });
  return numbers;
}
