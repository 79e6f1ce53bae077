import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCapture } from '../src/platform/capture.js';
import { createReplayEngine } from '../src/engine/create.js';
import { measure, type CpuClock, type Span } from './measure.js';

export interface Sized {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export const INCIDENT_CAPTURE = 'test/fixtures/captures/incident-2026-05-10.json';

export interface StateSize extends Sized {
  samples: number;
  replay: Span;
  thieves: number;
  findings: number;
}

/** The State the popover and `status --json` get, after the whole incident is replayed. */
export async function benchStateSize(clock: CpuClock, root: string): Promise<StateSize> {
  const bundle = parseCapture(readFileSync(join(root, INCIDENT_CAPTURE), 'utf8'), INCIDENT_CAPTURE);
  const session = createReplayEngine(bundle);
  const { value: state, span } = await measure(clock, () => session.runAll());
  await session.engine.stop();
  const json = Buffer.from(JSON.stringify(state), 'utf8');
  return {
    name: 'State JSON',
    bytes: json.length,
    gzipBytes: gzipSync(json).length,
    samples: bundle.samples.length,
    replay: span,
    thieves: state.thieves.length,
    findings: state.findings.length,
  };
}

export const POPOVER_FILES = ['dist/renderer/renderer.js', 'dist/renderer/styles.css', 'dist/renderer/index.html'] as const;

/** What the popover window loads; null for a file the build did not produce. */
export function popoverSizes(root: string): Array<Sized | { name: string; missing: true }> {
  return POPOVER_FILES.map((name) => {
    const path = join(root, name);
    if (!existsSync(path)) return { name, missing: true as const };
    const body = readFileSync(path);
    return { name, bytes: body.length, gzipBytes: gzipSync(body).length };
  });
}
