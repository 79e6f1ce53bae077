/**
 * The sandboxed preload: exposes `window.warden` (WardenApi) over IPC and nothing else. The
 * renderer never sees ipcRenderer, so a compromised page can only call these functions,
 * and main checks the sender and every argument of each.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ShellApi, WardenApi } from '../common/api.js';
import type { State } from '../common/state.js';
import type { InvokeArgs, InvokeChannel, InvokeResult, PushChannel } from '../common/ipc.js';

// Types only from the contract: the argument checks live in main, and stay out of this bundle.
const STATE_PUSH: PushChannel = 'state:push';

function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
  return ipcRenderer.invoke(channel, ...args) as Promise<InvokeResult<C>>;
}

const api: WardenApi & ShellApi = {
  getState: () => invoke('state:get'),
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, state: State) => listener(state);
    ipcRenderer.on(STATE_PUSH, handler);
    return () => {
      ipcRenderer.removeListener(STATE_PUSH, handler);
    };
  },
  runAction: (actionId) => invoke('action:run', actionId),
  snooze: (target, duration) => invoke('snooze:set', target, duration),
  getConfig: () => invoke('config:get'),
  setConfig: (config) => invoke('config:set', config),
  testProbe: (service) => invoke('probe:test', service),
  memoryHistory: () => invoke('history:memory'),
  configFacts: () => invoke('config:facts'),
  openSettings: () => invoke('window:settings'),
  closeWindow: () => invoke('window:close'),
};

contextBridge.exposeInMainWorld('warden', api);
