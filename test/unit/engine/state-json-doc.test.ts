/**
 * docs/state-json.md stays true: every key the real engine puts in a State is documented there,
 * and every path documented there is one the engine really produces.
 *
 * The doc's convention: a table whose first header cell is "Path" lists State fields, one row per
 * field (or one row for the same field of a shared type, e.g. ActionOffer), each path in
 * backticks in the first cell, arrays written `[]`: `services[].probe.latencyMs`. The
 * `warden incidents --json` record is a table whose first header cell is "Field".
 *
 * The States: the incident and healthy captures replayed through the real engine (deterministic),
 * and one live State of this host with no config file and no data folder (what
 * `warden status --json` prints here).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createReplayEngine } from '../../../src/engine/create.js';
import { HistoryStore } from '../../../src/engine/history.js';
import { parseCapture } from '../../../src/platform/capture.js';
import type { ChannelView, UnknownPart } from '../../../src/common/state.js';
import type { Finding } from '../../../src/common/findings.js';
import type { SensesView } from '../../../src/common/senses.js';

const DOC = 'docs/state-json.md';
const CAPTURES = ['test/fixtures/captures/incident-2026-05-10.json', 'test/fixtures/captures/healthy-2026-05-10.json'];

/**
 * Documented paths no State above contains, each with the reason. The key is checked against
 * the type by tsc (`satisfies`), so a renamed or removed field fails the typecheck.
 */
const ONLY_IN_TYPES: ReadonlyArray<{ path: string; key: string; why: string }> = [
  { path: 'unknowns[].part', key: 'part' satisfies keyof UnknownPart, why: 'the captures and a healthy host read every part; an unknown needs a failing reader' },
  { path: 'unknowns[].reason', key: 'reason' satisfies keyof UnknownPart, why: 'as unknowns[].part' },
  { path: 'senses.load.reason', key: 'reason' satisfies keyof Extract<SensesView['load'], { ok: false }>, why: 'os.loadavg() always answers; only a capture made before Warden read the load lacks it' },
  { path: 'findings[].quiet', key: 'quiet' satisfies keyof Finding, why: 'only a discovered server that stopped is quiet; the captures configure their services' },
  ...(['name', 'kind', 'queued', 'sentTotal', 'failedTotal', 'lastSentAt', 'retrying', 'lastFailure'] satisfies Array<keyof ChannelView>).map((key) => ({
    path: `channels[].${key}`,
    key,
    why: 'replays and `warden status` deliver nothing: channels need the long-running engine (test/integration/channels-live.test.ts)',
  })),
  ...(['title', 'attempts', 'since', 'error', 'nextAttemptAt', 'givesUpAt'] satisfies Array<keyof NonNullable<ChannelView['retrying']>>).map((key) => ({ path: `channels[].retrying.${key}`, key, why: 'as channels[]' })),
  ...(['at', 'title', 'attempts', 'error'] satisfies Array<keyof NonNullable<ChannelView['lastFailure']>>).map((key) => ({ path: `channels[].lastFailure.${key}`, key, why: 'as channels[]' })),
];

/** Every key path in a JSON value: objects by key, array elements as `[]`. */
function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${prefix}[]`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const p = prefix === '' ? key : `${prefix}.${key}`;
      out.add(p);
      keyPaths(child, p, out);
    }
  }
  return out;
}

/** The backticked entries of the first cell of every row of the tables whose first header cell is `header`. */
function documentedPaths(markdown: string, header: string): Set<string> {
  const out = new Set<string>();
  let inTable = false;
  for (const line of markdown.split('\n')) {
    const cells = line.trim().startsWith('|') ? line.trim().slice(1).split('|').map((c) => c.trim()) : null;
    if (!cells) {
      inTable = false;
      continue;
    }
    if (/^-+$/.test(cells[0]?.replace(/:/g, '') ?? '')) continue;
    if (!inTable) {
      inTable = cells[0] === header;
      continue;
    }
    for (const m of (cells[0] ?? '').matchAll(/`([^`]+)`/g)) out.add(m[1] as string);
  }
  return out;
}

/** What `--json` prints: the State through JSON, so undefined keys are gone as they are there. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

describe('docs/state-json.md', () => {
  let doc: string;
  let documented: Set<string>;
  const replayed = new Set<string>();
  const live = new Set<string>();
  let dir: string;

  beforeAll(async () => {
    doc = await readFile(DOC, 'utf8');
    documented = documentedPaths(doc, 'Path');
    for (const file of CAPTURES) {
      const session = createReplayEngine(parseCapture(await readFile(file, 'utf8'), file));
      keyPaths(asJson(await session.runAll()), '', replayed);
    }
    // As `warden status --json` does it: two cycles a second apart, nothing on disk.
    dir = await mkdtemp(path.join(os.tmpdir(), 'warden-state-doc-'));
    const engine = await createEngine({ configPath: path.join(dir, 'no-config.json'), dataDir: null });
    await engine.tick();
    await new Promise((r) => setTimeout(r, 1000));
    keyPaths(asJson(await engine.tick()), '', live);
    await engine.stop();
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds its own tables (the convention is followed at all)', () => {
    expect(documented.size).toBeGreaterThan(100);
    expect(documented).toContain('services[].probe.latencyMs');
  });

  it('documents every key the engine puts in a State', () => {
    const observed = new Set([...replayed, ...live]);
    const missing = [...observed].filter((p) => !documented.has(p)).sort();
    expect(missing, `add these to ${DOC}`).toEqual([]);
  });

  it('documents no path the engine does not produce, except the listed ones', () => {
    const allowed = new Set(ONLY_IN_TYPES.map((a) => a.path));
    const extra = [...documented].filter((p) => !replayed.has(p) && !live.has(p) && !allowed.has(p)).sort();
    expect(extra, `${DOC} documents paths no State has`).toEqual([]);
  });

  it('keeps the allow-list honest: each entry is documented, and none is in the replayed States', () => {
    for (const { path: p, key } of ONLY_IN_TYPES) {
      expect(documented, `${p} is allow-listed but not documented`).toContain(p);
      expect(p.endsWith(`.${key}`), `${p} does not end in its key ${key}`).toBe(true);
      expect(replayed.has(p), `${p} is in a replayed State now: drop it from ONLY_IN_TYPES`).toBe(false);
    }
  });

  it('documents the fields of `warden incidents --json`, as the history store writes them', async () => {
    const store = await HistoryStore.open(path.join(dir, 'data'));
    await store.append([{ id: 'inc-1/1', incidentId: 'inc-1', type: 'open', at: 1, severity: 'warn', title: 't', findingKeys: ['k'] }]);
    const reading = await store.readIncidents();
    await store.flush();
    const fields = new Set([...Object.keys(reading), ...Object.keys(reading.incidents[0] ?? {}).map((k) => `incidents[].${k}`)]);
    expect([...documentedPaths(doc, 'Field')].sort()).toEqual([...fields].sort());
  });
});
