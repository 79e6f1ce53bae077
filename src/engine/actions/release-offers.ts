import { formatDuration } from '../../common/format.js';
import type { ActionOffer, LockHolder, LockView } from '../../common/services.js';
import { fileNameOf, shortCommand } from '../../common/text.js';

/** The Release offers on a held file and their confirmation text: what releaseLock (release.ts) will do. */

export const RELEASE_WAIT_SECONDS = 5;

/** The confirmation names the holder's command in this much. */
const COMMAND_CHARS = 60;

export function releaseOffer(view: LockView, holder: LockHolder): ActionOffer {
  const name = fileNameOf(view.path);
  // macOS shows openers, not locks: the confirmation says what is known, not more.
  const unproven = holder.kind === 'open' ? `, which has ${name} open (macOS does not show who holds a lock, so it is not proven to hold it),` : '';
  return {
    id: `release:${view.path}`,
    kind: 'release',
    target: view.path,
    label: 'Release',
    confirm:
      `Send SIGTERM to PID ${holder.pid} (${shortCommand(holder.command, COMMAND_CHARS)}, running ${formatDuration(holder.heldSeconds)})${unproven} after checking it is still the same process, ` +
      `then wait up to ${RELEASE_WAIT_SECONDS} s for ${name} to be free.`,
  };
}

export function releaseKillOffer(path: string, holder: { pid: number; command: string }): ActionOffer {
  return {
    id: `release-kill:${path}`,
    kind: 'release',
    target: path,
    label: 'Force (SIGKILL)',
    confirm: `Send SIGKILL to PID ${holder.pid} (${shortCommand(holder.command, COMMAND_CHARS)}) after checking it is still the same process. It cannot clean up; a database it was writing may need recovery on next open.`,
  };
}
