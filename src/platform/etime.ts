/**
 * ps `etime`, the time since the process started: `MM:SS`, `HH:MM:SS`, `DD-HH:MM:SS` or
 * `DDD-HH:MM:SS` (adv_cmds print.c and procps alike), right-justified, so leading spaces are
 * trimmed. Darwin's boundaries use `>`: exactly one hour prints `60:00` and exactly one day
 * `24:00:00`, so those two fields may reach 60 and 24 when they are the largest one printed.
 */
export function parseEtime(text: string): number {
  const match = ETIME.exec(text.trim());
  if (!match) throw new Error(`etime: unexpected ${JSON.stringify(text.slice(0, 40))}`);
  const [, days, hours, minutes, seconds] = match;
  const d = days === undefined ? 0 : Number(days);
  const h = hours === undefined ? 0 : Number(hours);
  const m = Number(minutes);
  const s = Number(seconds);
  const minuteCap = hours === undefined ? 60 : 59;
  const hourCap = days === undefined ? 24 : 23;
  if (s > 59 || m > minuteCap || h > hourCap) throw new Error(`etime: out of range ${JSON.stringify(text.trim())}`);
  return ((d * 24 + h) * 60 + m) * 60 + s;
}

// Days only ever come with hours; each group is digits only, so no backtracking to speak of.
const ETIME = /^(?:(?:(\d{1,5})-)?(\d{1,2}):)?(\d{1,2}):(\d{2})$/;

/**
 * ps `time`, cumulative CPU. darwin prints `%ld:%02ld.%02ld` — minutes without an upper bound
 * and hundredths (`57:24.25`, `1:30.08`); procps prints `[DD-]HH:MM:SS`.
 */
export function parseCpuTime(text: string): number {
  const trimmed = text.trim();
  const darwin = DARWIN_TIME.exec(trimmed);
  if (darwin) {
    const [, minutes, seconds, hundredths] = darwin;
    if (Number(seconds) > 59) throw new Error(`cpu time: out of range ${JSON.stringify(trimmed)}`);
    return Number(minutes) * 60 + Number(seconds) + Number(hundredths) / 100;
  }
  const linux = LINUX_TIME.exec(trimmed);
  if (linux) {
    const [, days, hours, minutes, seconds] = linux;
    if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) throw new Error(`cpu time: out of range ${JSON.stringify(trimmed)}`);
    return ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
  }
  throw new Error(`cpu time: unexpected ${JSON.stringify(text.slice(0, 40))}`);
}

const DARWIN_TIME = /^(\d{1,9}):(\d{2})\.(\d{2})$/;
const LINUX_TIME = /^(?:(\d{1,6})-)?(\d{2}):(\d{2}):(\d{2})$/;
