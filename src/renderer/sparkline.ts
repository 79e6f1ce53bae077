/** A small line chart in SVG, made with DOM calls (no markup strings, no inline style). */
import { svg } from './dom.js';

export interface SparkPoint {
  at: number;
  value: number;
}

export function sparkline(points: readonly SparkPoint[], opts: { width: number; height: number; min: number; max: number; label: string; className?: string }): SVGSVGElement {
  const { width, height } = opts;
  const chart = svg('svg', { class: `spark ${opts.className ?? ''}`.trim(), viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': opts.label, preserveAspectRatio: 'none' });
  chart.appendChild(svg('line', { class: 'spark-base', x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5 }));
  if (points.length < 2) return chart;
  const t0 = points[0]!.at;
  const span = Math.max(1, points[points.length - 1]!.at - t0);
  const range = Math.max(1e-9, opts.max - opts.min);
  const xy = points.map((p) => {
    const x = ((p.at - t0) / span) * (width - 2) + 1;
    const y = height - 1 - ((Math.min(Math.max(p.value, opts.min), opts.max) - opts.min) / range) * (height - 3);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  chart.appendChild(svg('polygon', { class: 'spark-area', points: `1,${height} ${xy.join(' ')} ${width - 1},${height}` }));
  chart.appendChild(svg('polyline', { class: 'spark-line', points: xy.join(' ') }));
  return chart;
}
