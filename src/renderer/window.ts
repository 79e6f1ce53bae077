import type { ShellApi, WardenApi } from '../common/api.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser under `warden serve`. */
    warden?: WardenApi & ShellApi;
  }
}

export {};
