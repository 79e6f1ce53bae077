/**
 * The opt-in global shortcut (`app.globalShortcut` in the config, off by default) that opens the
 * popover from any app. Followed as the config changes: the old one is given back before the new
 * one is taken; one another app holds already is said in the log, not fought over.
 */

/** The part of Electron's globalShortcut this module uses. */
export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export class GlobalShortcut {
  private current: string | null = null;

  constructor(
    private readonly shortcuts: GlobalShortcutLike,
    private readonly open: () => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Takes this accelerator (null: none), giving back the one held before. */
  apply(accelerator: string | null): void {
    if (accelerator === this.current) return;
    if (this.current !== null) this.shortcuts.unregister(this.current);
    this.current = null;
    if (accelerator === null) return;
    let taken = false;
    try {
      taken = this.shortcuts.register(accelerator, () => this.open());
    } catch (error) {
      this.log(`global shortcut ${accelerator} not taken: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!taken) {
      this.log(`global shortcut ${accelerator} not taken: another app holds it; choose another in Settings`);
      return;
    }
    this.current = accelerator;
    this.log(`global shortcut ${accelerator} opens Warden`);
  }

  held(): string | null {
    return this.current;
  }
}
