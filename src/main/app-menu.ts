/**
 * The application menu. A menu-bar app shows it only while one of its windows is in front, but
 * its accelerators are what a Mac user types there: ⌘, opens Settings, ⌘Q quits, ⌘W closes the
 * window, and the Edit items make ⌘C/⌘V/⌘A work in the settings fields.
 */
export interface AppMenuItem {
  label?: string;
  role?: 'quit' | 'close' | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll' | 'hide' | 'about';
  accelerator?: string;
  type?: 'separator';
  click?: () => void;
  submenu?: AppMenuItem[];
}

export const SETTINGS_ACCELERATOR = 'CmdOrCtrl+,';

export function appMenuTemplate(handlers: { openSettings(): void }): AppMenuItem[] {
  return [
    {
      label: 'Warden',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { label: 'Settings…', accelerator: SETTINGS_ACCELERATOR, click: () => handlers.openSettings() },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'quit', accelerator: 'CmdOrCtrl+Q' },
      ],
    },
    { label: 'Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    { label: 'Window', submenu: [{ role: 'close', accelerator: 'CmdOrCtrl+W' }] },
  ];
}
