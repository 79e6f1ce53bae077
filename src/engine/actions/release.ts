import type { ProcessRef } from '../../common/services.js';
import { readFileHolders, type FileHolderRef } from '../../platform/file-holders.js';
import { releaseKillOffer } from './release-offers.js';
import { signalProcess } from './guard.js';
import { type ActionDeps, type Outcome, Steps, seconds, waitsOf } from './wait.js';

type HoldersCheck = { free: true; others: number[] } | { free: false; reason: string };

async function holdersNow(deps: ActionDeps, path: string, pid: number): Promise<HoldersCheck> {
  const read = await readFileHolders(deps.facts, deps.platform, path);
  if (!read.ok) return { free: false, reason: `cannot see who holds ${path}: ${read.reason}` };
  // On Linux the locks themselves are visible; on macOS only who has the file open.
  const holding = (h: FileHolderRef) => deps.platform === 'darwin' || h.kind !== 'open';
  // macOS's lsof shows who has the file open, not who holds the lock: said as such.
  const holds = deps.platform === 'darwin' ? 'still has' : 'still holds';
  if (read.value.some((h) => h.pid === pid && holding(h))) return { free: false, reason: `PID ${pid} ${holds} ${path}${deps.platform === 'darwin' ? ' open' : ''}` };
  return { free: true, others: read.value.filter(holding).map((h) => h.pid) };
}

/**
 * Signals the process holding a watched file (identity re-checked first), then watches the
 * file until that process no longer holds it or the wait ends. A SIGTERM that does not free
 * it offers SIGKILL as a follow-up, guarded the same way; nothing escalates by itself.
 */
export async function releaseLock(deps: ActionDeps, path: string, holder: ProcessRef | null, signal: 'SIGTERM' | 'SIGKILL'): Promise<Outcome> {
  const steps = new Steps(deps.clock);
  if (!holder) return steps.done(false, `no process to signal for ${path}`);
  const waits = waitsOf(deps);
  const at = deps.clock.now();
  const sent = await signalProcess(deps.facts, deps.effects, holder, signal, deps.uid, at, deps.ownPid !== undefined ? { ownPid: deps.ownPid } : {});
  if (!sent.ok) return steps.done(false, `not signalled: ${sent.reason}`);
  steps.add(sent.value);

  const deadline = at + waits.lockFreeSeconds * 1000;
  let check: HoldersCheck;
  for (;;) {
    check = await holdersNow(deps, path, holder.pid);
    if (check.free || deps.clock.now() >= deadline) break;
    await deps.clock.sleep(waits.pollMs);
  }
  if (check.free) {
    const others = check.others.length > 0 ? `; now ${deps.platform === 'darwin' ? 'open in' : 'held by'} PID ${check.others.join(', ')}` : '';
    const gone = deps.platform === 'darwin' ? `no longer has ${path} open` : `no longer holds ${path}`;
    return steps.done(true, `PID ${holder.pid} ${gone} (${seconds(deps.clock.now() - at)} after ${signal})${others}`);
  }
  const outcome = steps.done(false, `${check.reason} ${waits.lockFreeSeconds} s after ${signal}`);
  if (signal === 'SIGTERM') {
    const offer = releaseKillOffer(path, holder);
    outcome.followUp = { id: offer.id, label: offer.label, confirm: offer.confirm, holder };
  }
  return outcome;
}
