/**
 * The main-process side of the IPC contract. Every call is checked three ways before the engine
 * sees it: it comes from the app's own page in the top frame, its arguments fit the contract,
 * and an action is one the current State offers.
 */
import type { EngineHandle } from '../common/api.js';
import type { ConfigFacts } from '../common/config-facts.js';
import type { ActionOffer, ActionResult } from '../common/services.js';
import { checkInvoke, configProblemsText, findOffer, INVOKE_CHANNELS, type InvokeChannel, notOffered } from '../common/ipc.js';

/** The part of Electron's IpcMainInvokeEvent this module reads. */
export interface InvokeEvent {
  senderFrame: { url: string; parent: unknown } | null;
}

/** The part of Electron's ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcDeps {
  engine: EngineHandle;
  /** The popover page's URL, app://warden/index.html (src/main/app-protocol.ts). */
  pageUrl: string;
  log(line: string): void;
  now(): number;
  onActionResult?(result: ActionResult, offer: ActionOffer): void;
  onConfigSaved?(): void;
  /** The app's other pages (the settings window's), equally trusted. */
  otherPages?: readonly string[];
  configFacts?(): ConfigFacts;
  openSettings?(): void;
  /** Closes the window whose page sent this (by its frame's URL). */
  closeWindow?(frameUrl: string): void;
}

/** The app's own page, whatever fragment it was opened with; anything else (another file, http, a subframe) is foreign. */
export function isOwnPage(frameUrl: string, pageUrl: string): boolean {
  let frame: URL;
  let page: URL;
  try {
    frame = new URL(frameUrl);
    page = new URL(pageUrl);
  } catch {
    return false;
  }
  return frame.protocol === page.protocol && frame.host === page.host && frame.pathname === page.pathname && frame.search === '' && frame.username === '' && frame.port === page.port;
}

export class IpcRejection extends Error {
  override name = 'IpcRejection';
}

/** Registers one handler per channel; returns a function that removes them. */
export function registerIpc(ipcMain: IpcMainLike, deps: IpcDeps): () => void {
  const { engine, log } = deps;
  const pages = [deps.pageUrl, ...(deps.otherPages ?? [])];
  const handlers: { [C in InvokeChannel]: (args: unknown[], frameUrl: string) => Promise<unknown> } = {
    'config:facts': async () => {
      if (!deps.configFacts) throw new IpcRejection('config:facts: not available');
      return deps.configFacts();
    },
    'window:settings': async () => deps.openSettings?.(),
    'window:close': async (_args, frameUrl) => deps.closeWindow?.(frameUrl),
    'state:get': async () => engine.currentState(),
    'history:memory': async () => engine.memoryHistory(),
    'action:run': async ([actionId]) => {
      const id = actionId as string;
      const offer = findOffer(engine.currentState(), id);
      if (!offer) {
        log(`ipc action:run refused: ${JSON.stringify(id.slice(0, 100))} is not offered in the current state`);
        return notOffered(id, deps.now());
      }
      log(`ipc action:run ${offer.kind} ${offer.target} (${offer.id})`);
      const result = await engine.runAction(id);
      deps.onActionResult?.(result, offer);
      return result;
    },
    'snooze:set': async ([target, duration]) => engine.snooze(target as never, duration as never),
    'config:get': async () => engine.getConfig(),
    'config:set': async ([config]) => {
      const result = await engine.setConfig(config as never);
      if (result.ok) deps.onConfigSaved?.();
      else log(`ipc config:set refused: ${configProblemsText(result.problems)}`);
      return result;
    },
    'probe:test': async ([service]) => engine.testProbe(service as never),
  };

  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args) => {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !pages.some((page) => isOwnPage(frame.url, page))) {
        const from = frame ? frame.url.slice(0, 200) : 'a frame that is gone';
        log(`ipc ${channel} rejected: sender ${from} is not Warden's popover`);
        throw new IpcRejection(`${channel}: sender is not Warden's popover`);
      }
      const checked = checkInvoke(channel, args);
      if (!checked.ok) {
        log(`ipc rejected: ${checked.problem}`);
        throw new IpcRejection(checked.problem);
      }
      return handlers[channel](checked.value, frame.url);
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}
