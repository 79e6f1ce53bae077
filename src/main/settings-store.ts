/**
 * The config file as the app sees it, through electron-store, shared with the CLI (same path,
 * same JSON schema). The engine is the one writer (setConfig checks every field and answers with
 * problems); this store reads the file and tells the shell when anyone changed it (the settings
 * view, `warden` on the command line, an editor), so the login item follows the file.
 */
import path from 'node:path';
import type { WardenConfigInput } from '../common/config.js';
import type { Part } from '../common/result.js';
import { errorText } from '../common/result.js';

/** The JSON schema's top level: the config's one schema (src/common/config-schema.ts). */
export interface ConfigSchema {
  properties: Record<string, unknown>;
  additionalProperties?: unknown;
}

export interface StoreOptions {
  cwd: string;
  name: string;
  fileExtension: string;
  schema: Record<string, unknown>;
  rootSchema: { additionalProperties?: boolean };
  ajvOptions: { strict: boolean; useDefaults: boolean };
  clearInvalidConfig: false;
  accessPropertiesByDotNotation: false;
  watch: boolean;
}

/** The part of electron-store this module uses. */
export interface StoreLike {
  readonly store: Record<string, unknown>;
  readonly path: string;
  onDidAnyChange(callback: () => void): () => void;
}

export type StoreCtor = new (options: StoreOptions) => StoreLike;

export function settingsStoreOptions(configPath: string, schema: ConfigSchema, watch: boolean): StoreOptions {
  const ext = path.extname(configPath);
  return {
    cwd: path.dirname(configPath),
    name: path.basename(configPath, ext),
    fileExtension: ext.replace(/^\./, ''),
    schema: schema.properties,
    rootSchema: { additionalProperties: schema.additionalProperties === true },
    // useDefaults would write schema defaults into the user's file; the engine fills defaults on read.
    ajvOptions: { strict: false, useDefaults: false },
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
    watch,
  };
}

export class SettingsStore {
  private store: StoreLike | null = null;
  private readonly listeners = new Set<() => void>();
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly Store: StoreCtor,
    private readonly options: StoreOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** The file's content; a file that does not parse or fit the schema is an unknown with the reason. */
  read(): Part<WardenConfigInput> {
    try {
      const store = this.open();
      return { ok: true, value: { ...store.store } as WardenConfigInput };
    } catch (error) {
      return { ok: false, reason: `config ${path.join(this.options.cwd, `${this.options.name}.${this.options.fileExtension}`)}: ${errorText(error)}` };
    }
  }

  launchAtLogin(): boolean {
    const config = this.read();
    return config.ok && config.value.launchAtLogin === true;
  }

  /** Called after any change to the file, whoever made it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    try {
      this.open();
    } catch (error) {
      this.log(`settings: cannot watch the config file yet: ${errorText(error)}`);
    }
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = null;
    this.listeners.clear();
  }

  /** electron-store validates the file when it opens, so a bad file is retried on the next read. */
  private open(): StoreLike {
    if (this.store) return this.store;
    const store = new this.Store(this.options);
    this.store = store;
    this.unwatch = store.onDidAnyChange(() => {
      for (const listener of this.listeners) listener();
    });
    return store;
  }
}
