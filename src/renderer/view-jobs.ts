/** Scheduled jobs: the last exit, explained, so a failure does not sit in a log nobody reads. */
import { formatDuration } from '../common/format.js';
import type { JobView } from '../common/services.js';
import type { ViewContext } from './context.js';
import { el, hostText } from './dom.js';
import { rowsSection } from './ui.js';

export function viewJobs(ctx: ViewContext): HTMLElement | null {
  return rowsSection('jobs', 'Jobs', ctx.state.jobs, (j) => jobRow(j, ctx));
}

function failed(job: JobView): boolean {
  const exit = job.lastExit;
  return (exit !== null && ((exit.code !== null && exit.code !== 0) || exit.signal !== null)) || (job.overdueSeconds ?? 0) > 0;
}

function jobRow(job: JobView, ctx: ViewContext): HTMLElement {
  const bad = failed(job);
  const exit = job.lastExit ? job.lastExit.text.replace(/\s*\(.*$/, '') : 'not run yet';
  const when: string[] = [];
  if (job.lastRunAt !== null) when.push(`ran ${formatDuration(ctx.ago(job.lastRunAt))} ago`);
  if (job.overdueSeconds !== null && job.overdueSeconds > 0) when.push(`overdue ${formatDuration(job.overdueSeconds)}`);
  else if (job.nextDueAt !== null) when.push(`next in ${formatDuration(ctx.until(job.nextDueAt))}`);
  return el(
    'li',
    { class: 'row job' },
    el(
      'div',
      { class: 'row-main' },
      el('span', { class: 'row-name', title: job.target }, hostText(job.name, 40, 'span', 'name')),
      el('span', { class: `row-value ${bad ? 'crit-text' : 'muted'}`, title: job.lastExit?.text }, `last ${exit}`),
    ),
    el('div', { class: `row-sub ${bad ? '' : 'muted'}`.trim() }, hostText(job.explanation, 160)),
    when.length > 0 ? el('div', { class: 'row-sub muted' }, when.join(' · '), job.logPath ? ' · log ' : null, job.logPath ? hostText(job.logPath, 40, 'code') : null) : null,
  );
}
