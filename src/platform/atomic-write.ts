import { promises as fs } from 'node:fs';

/**
 * Writes a temporary file beside `target`, syncs it when asked, and renames it over: a crash
 * leaves the old file or the new one, never half of one. The temporary file is created fresh
 * (a stale one left by a crash is removed first; anything put there in between is refused, not
 * written through), so `mode` always applies. It is removed when any step fails, and the error
 * is thrown for the caller to report.
 */
export async function writeFileAtomic(target: string, text: string, options: { sync?: boolean; mode?: number } = {}): Promise<void> {
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await fs.rm(temp, { force: true });
    const handle = await fs.open(temp, 'wx', options.mode);
    try {
      await handle.writeFile(text);
      if (options.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
