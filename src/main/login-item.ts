/**
 * Launch at login, kept in step with the config's `launchAtLogin`. Only macOS and Windows have a
 * login item Electron can set; elsewhere the setting is kept in the file and reported unsupported.
 */
export interface LoginItemApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

export class LoginItem {
  constructor(
    private readonly app: LoginItemApp,
    private readonly platform: NodeJS.Platform,
    private readonly log: (line: string) => void,
  ) {}

  supported(): boolean {
    return this.platform === 'darwin' || this.platform === 'win32';
  }

  enabled(): boolean {
    return this.supported() && this.app.getLoginItemSettings().openAtLogin;
  }

  /** Sets the login item only when it differs from what is wanted; returns whether it changed. */
  apply(wanted: boolean): boolean {
    if (!this.supported()) return false;
    if (this.enabled() === wanted) return false;
    this.app.setLoginItemSettings({ openAtLogin: wanted });
    this.log(`launch at login ${wanted ? 'on' : 'off'}`);
    return true;
  }
}
