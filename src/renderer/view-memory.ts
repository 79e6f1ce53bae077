/** Host memory: pressure first (the OS's own judgement), then the numbers behind it and the last hour. */
import { formatBytes, formatRate } from '../common/format.js';
import type { MemoryView, PressureLevel } from '../common/memory.js';
import { clockTime, type ViewContext } from './context.js';
import { el, hostText, svg } from './dom.js';
import type { MemorySeries } from './series.js';
import { sparkline } from './sparkline.js';
import { badge, muted, pair, section } from './ui.js';

const PRESSURE: Record<PressureLevel, { text: string; tone: 'ok' | 'warn' | 'crit' }> = {
  normal: { text: 'Pressure normal', tone: 'ok' },
  warn: { text: 'Pressure warn', tone: 'warn' },
  critical: { text: 'Pressure critical', tone: 'crit' },
};

export function viewMemory(ctx: ViewContext, series: MemorySeries): HTMLElement {
  const m = ctx.state.memory;
  if (!m) {
    const reason = ctx.state.unknowns.find((u) => u.part.toLowerCase().includes('memory'))?.reason ?? 'not read yet';
    return section('memory', 'Memory', badge('unknown', 'unknown'), el('p', { class: 'unknown-line' }, 'Could not read memory: ', hostText(reason, 200)));
  }
  const pressure = m.pressure ? PRESSURE[m.pressure] : null;
  const aside = pressure ? badge(pressure.text, pressure.tone) : badge('Pressure unknown', 'unknown');
  aside.title = m.pressureSource;
  return section(
    'memory',
    'Memory',
    aside,
    gauge(m, pressure?.tone ?? 'unknown'),
    el(
      'dl',
      { class: 'pairs' },
      ...pair('Available', formatBytes(m.availableBytes)),
      ...pair('Free', formatBytes(m.freeBytes)),
      ...pair('Swap used', m.swapTotalBytes === 0 && m.swapUsedBytes === 0 ? 'none' : `${formatBytes(m.swapUsedBytes)} of ${formatBytes(m.swapTotalBytes)}`),
      ...pair('Compressed', m.compressedBytes === null ? 'n/a' : formatBytes(m.compressedBytes)),
      ...pair('Swap in', m.rates ? formatRate(m.rates.swapInBytesPerSec) : 'n/a', m.rates ? `over ${m.rates.overSeconds} s` : 'needs two samples'),
      ...pair('Swap out', m.rates ? formatRate(m.rates.swapOutBytesPerSec) : 'n/a', m.rates ? `over ${m.rates.overSeconds} s` : 'needs two samples'),
    ),
    history(series, m),
  );
}

function gauge(m: MemoryView, tone: string): HTMLElement {
  const used = Math.max(0, m.totalBytes - m.availableBytes);
  const share = m.totalBytes > 0 ? Math.min(1, used / m.totalBytes) : 0;
  const bar = svg(
    'svg',
    { class: 'gauge', viewBox: '0 0 100 6', preserveAspectRatio: 'none', role: 'img', 'aria-label': `${Math.round(share * 100)}% of memory in use` },
    svg('rect', { class: 'gauge-track', x: 0, y: 0, width: 100, height: 6, rx: 3 }),
    svg('rect', { class: `gauge-fill tone-${tone}`, x: 0, y: 0, width: (share * 100).toFixed(2), height: 6, rx: 3 }),
  );
  return el('div', { class: 'gauge-wrap' }, bar, el('div', { class: 'gauge-caption muted' }, `${formatBytes(used)} in use of ${formatBytes(m.totalBytes)}`));
}

/** What the series spans, for a chart's label: "last hour", or "since 14:02" while it is younger. */
export function seriesCovers(series: MemorySeries): string {
  const points = series.all();
  const first = points[0];
  if (!first) return '';
  return points[points.length - 1]!.at - first.at >= 55 * 60_000 ? 'last hour' : `since ${clockTime(first.at)}`;
}

/** Green's small chart of available memory (the calm line's); null until there are two samples. */
export function calmSparkline(series: MemorySeries, totalBytes: number): SVGSVGElement | null {
  const points = series.all();
  if (points.length < 2) return null;
  const label = `Available memory, ${seriesCovers(series)}`;
  const chart = sparkline(points.map((p) => ({ at: p.at, value: p.availableBytes })), { width: 96, height: 18, min: 0, max: totalBytes, label, className: 'spark-calm' });
  return chart;
}

function history(series: MemorySeries, m: MemoryView): HTMLElement {
  const points = series.all();
  if (points.length < 2) return el('p', { class: 'muted small' }, 'History appears here as samples arrive.');
  const covers = seriesCovers(series);
  const available = points.map((p) => ({ at: p.at, value: p.availableBytes }));
  const swap = points.map((p) => ({ at: p.at, value: p.swapUsedBytes }));
  const swapMax = Math.max(m.swapTotalBytes, ...swap.map((p) => p.value), 1);
  return el(
    'div',
    { class: 'history' },
    el('figure', {}, sparkline(available, { width: 150, height: 28, min: 0, max: m.totalBytes, label: `Available memory, ${covers}` }), el('figcaption', {}, 'Available ', muted(covers))),
    el('figure', {}, sparkline(swap, { width: 150, height: 28, min: 0, max: swapMax, label: `Swap used, ${covers}`, className: 'spark-swap' }), el('figcaption', {}, 'Swap used ', muted(covers))),
  );
}
