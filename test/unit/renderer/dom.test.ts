import { describe, expect, it } from 'vitest';
import { cutAtWord } from '../../../src/renderer/dom.js';

describe('cutAtWord: host prose cut to fit the popover', () => {
  const job = 'last exit 5 (EIO: Input/output error) — launchctl bootstrap could not load the plist; last run time unknown';

  it('keeps text that fits', () => {
    expect(cutAtWord('held 3 d 2 h', 12)).toBe('held 3 d 2 h');
  });

  it('ends at a whole word near the limit, never "unkno…", and within it', () => {
    const cut = cutAtWord(job, 100);
    expect(cut).toBe('last exit 5 (EIO: Input/output error) — launchctl bootstrap could not load the plist; last run time…');
    expect(cut.length).toBeLessThanOrEqual(100);
  });

  it('drops punctuation left dangling before the ellipsis', () => {
    expect(cutAtWord('swap 10.1 GiB used, 820 MiB free of 64 GiB', 23)).toBe('swap 10.1 GiB used…');
    expect(cutAtWord('PID 4242 — not computing', 12)).toBe('PID 4242…');
  });

  it('cuts mid-word when no word ends near the limit (one long token)', () => {
    const cut = cutAtWord('see /Users/bert/Library/LaunchAgents/com.sanctum.mlx.plist', 30);
    expect(cut).toBe('see /Users/bert/Library/Launc…');
    expect(cut.length).toBe(30);
  });
});
