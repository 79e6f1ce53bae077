import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConfigSaveResult } from '../common/api.js';
import type { WardenConfigInput } from '../common/config.js';
import { errorText } from '../common/result.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import type { UnknownPart } from '../common/state.js';
import { checkConfig, ConfigError, loadConfigFile, type LoadedConfig } from './config.js';
import { supervisorChanges } from './config-commands.js';

/** The config file is looked at (its mtime) at most this often. */
const CONFIG_CHECK_EVERY_MS = 5_000;

/**
 * The config file the engine runs on: read again when its mtime changes (hot reload), written
 * atomically when a view saves settings. A file that cannot be applied leaves the last good
 * config in force, and `problem` says why (it becomes the `config` unknown).
 */
export class ConfigWatch {
  problem: UnknownPart | null = null;
  private mtime = 0;
  private lastCheck = 0;

  /** `file` null: no file (a replay); nothing is watched or written. */
  constructor(
    readonly file: string | null,
    private readonly home: string,
  ) {}

  /** The file as it is now when it changed and could be applied; null when it is unchanged, not due, or refused. */
  async changed(now: number): Promise<LoadedConfig | null> {
    const file = this.file;
    if (!file || now - this.lastCheck < CONFIG_CHECK_EVERY_MS) return null;
    this.lastCheck = now;
    let mtime = 0;
    try {
      mtime = (await fs.stat(file)).mtimeMs;
    } catch {
      mtime = -1;
    }
    if (mtime === this.mtime) return null;
    const hadFile = this.mtime > 0;
    this.mtime = mtime;
    if (mtime === -1 && hadFile) {
      // A file that was applied and is now gone is more likely a slip than a wish for no
      // services at all: keep watching what the operator last configured, and say so.
      this.problem = { part: 'config', reason: `${file} is gone; still using the last good config (save settings or restore the file to change it)` };
      return null;
    }
    try {
      const loaded = await loadConfigFile(file, this.home);
      this.problem = null;
      return loaded;
    } catch (error) {
      // Keep watching on the last good config, and say why the new one was refused.
      const why = error instanceof ConfigError ? error.problems.map((p) => `${p.field}: ${p.message}`).join('; ') : errorText(error);
      this.problem = { part: 'config', reason: `${file} was not applied (${why}); still using the last good config` };
      return null;
    }
  }

  /**
   * Validates first: a config that fails validation never reaches disk. Comes only from the
   * views (IPC, HTTP), so a supervisor (what Warden may run or signal) must be the file's own;
   * `applied` is the input in force, used when the file cannot be read.
   */
  async write(input: WardenConfigInput, applied: WardenConfigInput): Promise<ConfigSaveResult> {
    const problems = checkConfig(input);
    if (problems.length > 0) return { ok: false, problems };
    const file = this.file;
    if (!file) return { ok: false, problems: [{ field: '(file)', message: 'this engine has no config file (a replay)' }] };
    // The file as it is now: its owner may have edited it since it was last applied.
    const onDisk = await loadConfigFile(file, this.home).then((loaded) => loaded.input, () => applied);
    const refused = supervisorChanges(onDisk, input, file);
    if (refused.length > 0) return { ok: false, problems: refused };
    try {
      await writeConfigFile(file, `${JSON.stringify(input, null, 2)}\n`);
    } catch (error) {
      return { ok: false, problems: [{ field: '(file)', message: `could not be written: ${errorText(error)}` }] };
    }
    return { ok: true };
  }

  /** What write() wrote is in force: no problem, and its mtime is not taken for a change. */
  async written(): Promise<void> {
    this.problem = null;
    this.mtime = (this.file ? await fs.stat(this.file).catch(() => null) : null)?.mtimeMs ?? 0;
  }
}

/** The operator's config: owner-only, synced before it replaces the old file. */
async function writeConfigFile(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, text, { mode: 0o600, sync: true });
}
