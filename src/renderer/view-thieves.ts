/** The processes that hold the memory or the CPU: what each holds (and by which measure), how it moves, when it came. */
import { formatDecimalGB, formatDuration, formatGrowthRate, formatPercent } from '../common/format.js';
import type { Thief } from '../common/processes.js';
import { plainText } from '../common/text.js';
import type { ViewContext } from './context.js';
import { el, hostText } from './dom.js';
import { muted, num, rowsSection } from './ui.js';

const METRIC: Record<Thief['memoryMetric'], { text: string; title: string }> = {
  rss: { text: 'RSS', title: 'Resident set size: pages of this process now in RAM' },
  footprint: { text: 'footprint', title: 'Physical footprint, what Activity Monitor calls Memory' },
};

export function viewThieves(ctx: ViewContext): HTMLElement | null {
  return rowsSection('thieves', 'Top processes', ctx.state.thieves, (t) => thiefRow(t, ctx));
}

function thiefRow(t: Thief, ctx: ViewContext): HTMLElement {
  const metric = METRIC[t.memoryMetric];
  const facts: (HTMLElement | string)[] = [];
  if (t.growth && t.growth.bytesPerHour > 0) facts.push(el('span', { class: 'fact warn-text' }, `+${formatGrowthRate(t.growth.bytesPerHour)}`));
  const cpu = t.sustainedCpu ? t.sustainedCpu.averagePercent : t.cpuPercent;
  if (cpu >= 50) facts.push(el('span', { class: `fact ${t.reasons.includes('cpu') ? 'warn-text' : ''}`.trim() }, `${formatPercent(cpu)} CPU`));
  if (t.arrivedAgoSeconds !== null) {
    // arrivedAgoSeconds is as of the State; the page adds the time since it arrived.
    const ago = t.arrivedAgoSeconds + ctx.ago(ctx.state.generatedAt);
    facts.push(el('span', { class: 'fact warn-text' }, `arrived ${formatDuration(ago)} ago`));
  }
  return el(
    'li',
    { class: 'row thief' },
    el(
      'div',
      { class: 'row-main' },
      el('span', { class: 'row-name' }, hostText(t.name, 36, 'span', 'name'), t.roleLabel ? muted(` ${t.roleLabel}`) : null),
      el('span', { class: 'row-value', title: metric.title }, num(formatDecimalGB(t.memoryBytes)), el('span', { class: 'unit' }, ` ${metric.text}`)),
    ),
    storyTail(t.story) === '' ? null : el('div', { class: 'row-sub' }, hostText(storyTail(t.story), 90, 'span', 'story')),
    el('div', { class: 'row-facts' }, ...facts, el('span', { class: 'muted pid', title: plainText(t.command, 2000) }, `PID ${t.pid}`)),
  );
}

/** The story opens with the size the row already shows ("50.2 GB footprint, growing …"): each figure once. */
function storyTail(story: string): string {
  const i = story.indexOf(', ');
  return i === -1 ? '' : story.slice(i + 2);
}
