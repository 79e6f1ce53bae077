import type { EngineHandle } from '../common/api.js';
import type { ActionResult } from '../common/services.js';
import type { State } from '../common/state.js';
import { HttpError } from './serve-http.js';

export const REPLAY_REFUSED = 'this is a replay of a capture: actions, snoozes, settings and probes are refused; nothing was done';

/**
 * A replay's end state served as a live engine would be, read-only: the page shows the
 * capture's incident, and everything that would act (an action, a snooze, saving settings,
 * probing a service) is refused with the reason instead of reaching the host.
 */
export function replayHandle(state: State, memoryHistory: EngineHandle['memoryHistory'], getConfig: EngineHandle['getConfig'], now: () => number = Date.now): EngineHandle {
  const refuse = (): never => {
    throw new HttpError(409, REPLAY_REFUSED);
  };
  return {
    currentState: () => state,
    getState: async () => state,
    // The replay has ended: a subscriber gets the one State there is.
    subscribe: (listener) => {
      queueMicrotask(() => listener(state));
      return () => undefined;
    },
    onNotification: () => () => undefined,
    runAction: async (actionId): Promise<ActionResult> => {
      const at = now();
      return { id: actionId, ok: false, steps: [], message: `Refused: ${REPLAY_REFUSED}.`, downtimeSeconds: null, startedAt: at, finishedAt: at };
    },
    snooze: async () => refuse(),
    getConfig,
    setConfig: async () => refuse(),
    testProbe: async () => refuse(),
    memoryHistory,
  };
}
