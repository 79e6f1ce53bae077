import os from 'node:os';
import path from 'node:path';

/**
 * Where Warden keeps its config and data. The app (electron-store) and the CLI use the same
 * file, so a service added in the popover is watched by `warden watch` too.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WARDEN_HOME) return env.WARDEN_HOME;
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Warden');
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'warden');
}

export function configPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return path.join(configDir(env, platform), 'config.json');
}

export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WARDEN_HOME) return path.join(env.WARDEN_HOME, 'data');
  if (platform === 'darwin') return path.join(configDir(env, platform), 'data');
  return path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'warden');
}

/** What Warden keeps only to save work (the host identity): safe to delete at any time. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WARDEN_HOME) return path.join(env.WARDEN_HOME, 'cache');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'Warden');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'warden');
}
