/**
 * Run inside a user and mount namespace with a small tmpfs at argv[2]: fills it step by step and
 * prints, after each step, what Warden's disk sense read (real statfs) and how it judged it.
 */
import { writeFileSync } from 'node:fs';
import { LiveFacts } from '../../src/platform/live.js';
import { readVolumes } from '../../src/platform/disk.js';
import { diskCandidate } from '../../src/engine/differential.js';

const dir = process.argv[2]!;
const facts = new LiveFacts();
const steps: Array<{ filledBytes: number }> = [{ filledBytes: 0 }, { filledBytes: 8 * 1024 * 1024 }, { filledBytes: 15.5 * 1024 * 1024 }];
for (const [i, step] of steps.entries()) {
  if (step.filledBytes > 0) writeFileSync(`${dir}/fill-${i}`, Buffer.alloc(step.filledBytes - (steps[i - 1]?.filledBytes ?? 0)));
  const disk = await readVolumes(facts, [{ path: dir, role: 'models' }, { path: `${dir}/missing`, role: 'data' }]);
  const candidate = diskCandidate(disk, { thermal: { ok: false, reason: '-' }, disk, load: { ok: false, reason: '-' }, logs: [] });
  process.stdout.write(`${JSON.stringify({ filledBytes: step.filledBytes, disk, candidate })}\n`);
}
