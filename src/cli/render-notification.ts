import pc from 'picocolors';
import type { Notification } from '../common/findings.js';
import { plainText } from '../common/text.js';
import { dateTimeWithZone } from '../common/zoned-time.js';

const t = (s: string, max = 200) => plainText(s, max);

/** A notification as the app would show it: title, then the body's lines. */
export function renderNotification(n: Notification): string {
  const stamp = dateTimeWithZone(n.at, { seconds: true });
  const head = n.kind === 'recovery' ? pc.green('RECOVERED') : n.severity === 'crit' ? pc.red('NOTIFY') : pc.yellow('NOTIFY');
  const body = n.body
    .split('\n')
    .map((line) => `  ${t(line, 300)}`)
    .join('\n');
  return `${pc.dim(stamp)} ${head} ${pc.bold(t(n.title, 200))}\n${body}\n`;
}
