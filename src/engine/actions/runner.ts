import { appendFile, mkdir, readFile } from 'node:fs/promises';
import type { ActionKind, ActionOffer, ActionResult, LockView, ProcessRef, ServiceView } from '../../common/services.js';
import { errorText } from '../../common/result.js';
import type { ServiceMonitor, ServiceTarget } from '../services/monitor.js';
import type { LockMonitor, LockTarget } from '../locks.js';
import { restartService } from './restart.js';
import { readoptService } from './readopt.js';
import { releaseLock } from './release.js';
import { unloadModel } from './unload.js';
import type { ModelMonitor, UnloadTarget } from '../models.js';
import type { ModelServerView } from '../../common/models.js';
import { type ActionDeps, type Outcome, effectsRefused } from './wait.js';

export interface ActionLogEntry {
  id: string;
  kind: ActionKind | null;
  target: string | null;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  message: string;
  downtimeSeconds: number | null;
  steps: string[];
}

/** actions.jsonl: one JSON line per action asked for, appended, never rewritten. */
export class ActionLog {
  constructor(readonly path: string | null) {}

  async append(entry: ActionLogEntry): Promise<void> {
    if (!this.path) return;
    const dir = this.path.slice(0, this.path.lastIndexOf('/'));
    if (dir) await mkdir(dir, { recursive: true });
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600 });
  }

  /** The newest entries first; lines that do not parse (a crash mid-write) are skipped. */
  async recent(limit = 50): Promise<ActionLogEntry[]> {
    if (!this.path) return [];
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return [];
    }
    const out: ActionLogEntry[] = [];
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      const line = lines[i]?.trim();
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as ActionLogEntry);
      } catch {
        continue;
      }
    }
    return out;
  }
}

/** Where the runner finds what an offer is about, as last shown. */
export interface ActionContext {
  service?: (name: string) => ServiceTarget | null;
  lock?: (path: string) => LockTarget | null;
  model?: (service: string, model: string) => UnloadTarget | null;
}

export type ActionOutcome = ActionResult & { followUp: ActionOffer | null };

export interface ActionRunnerDeps extends ActionDeps {
  /** actions.jsonl goes here (unless a log is given), and a command service's output too. */
  dataDir?: string | null;
  /** Where offers' targets are looked up when run() is not given a context. */
  services?: Pick<ServiceMonitor, 'target'> & Partial<Pick<ServiceMonitor, 'recheck'>>;
  locks?: Pick<LockMonitor, 'target'> & Partial<Pick<LockMonitor, 'recheck'>>;
  /** Adds a discovered service to the config file (URL and port only); the engine owns the file. */
  watchService?: (name: string) => Promise<Outcome>;
  models?: Pick<ModelMonitor, 'unloadTarget'> & Partial<Pick<ModelMonitor, 'reread'>>;
}

/** What the views currently offer: the services' and locks' actions. */
export interface OfferSource {
  services: readonly ServiceView[];
  locks: readonly LockView[];
  models?: readonly ModelServerView[];
}

/** Follow-ups (SIGKILL after a SIGTERM that did not free a lock) stay on offer this long. */
export const FOLLOW_UP_TTL_MS = 10 * 60_000;

interface PendingFollowUp {
  offer: ActionOffer;
  holder: ProcessRef;
  until: number;
}

/**
 * Runs only actions that are on offer, one per target at a time, and logs every request with
 * its outcome. Everything it changes goes through the injected Effects, so a replay refuses.
 */
export class ActionRunner {
  private readonly running = new Set<string>();
  private readonly followUpOffers = new Map<string, PendingFollowUp>();
  private readonly deps: ActionRunnerDeps;
  private readonly log: ActionLog;

  constructor(deps: ActionRunnerDeps, log?: ActionLog) {
    const dataDir = deps.dataDir?.replace(/\/+$/, '') ?? null;
    this.deps = { ...deps, logDir: deps.logDir ?? dataDir };
    this.log = log ?? new ActionLog(dataDir ? `${dataDir}/actions.jsonl` : null);
  }

  /** Follow-up offers still open, to show beside the file they concern. */
  followUps(now: number): ActionOffer[] {
    const out: ActionOffer[] = [];
    for (const [id, pending] of this.followUpOffers) {
      if (pending.until <= now) this.followUpOffers.delete(id);
      else out.push(pending.offer);
    }
    return out;
  }

  /**
   * Runs `actionId` if it is among the current offers (or an open follow-up). The offers may be
   * given as a list or as the views that carry them; without a context, targets are looked up
   * in the monitors given to the constructor.
   */
  async run(actionId: string, current: readonly ActionOffer[] | OfferSource, context?: ActionContext): Promise<ActionOutcome> {
    const currentOffers: readonly ActionOffer[] = Array.isArray(current)
      ? current
      : [
          ...(current as OfferSource).services.flatMap((s) => s.actions),
          ...(current as OfferSource).locks.flatMap((l) => l.actions),
          ...((current as OfferSource).models ?? []).flatMap((m) => m.models.flatMap((model) => model.actions)),
        ];
    context ??= {
      service: (name) => this.deps.services?.target(name) ?? null,
      lock: (path) => this.deps.locks?.target(path) ?? null,
      model: (service, model) => this.deps.models?.unloadTarget(service, model) ?? null,
    };
    const startedAt = this.deps.clock.now();
    const followUp = this.followUpOffers.get(actionId);
    const offer = currentOffers.find((o) => o.id === actionId) ?? (followUp && followUp.until > startedAt ? followUp.offer : undefined);
    const finish = async (outcome: Outcome): Promise<ActionOutcome> => {
      const finishedAt = this.deps.clock.now();
      let next: ActionOffer | null = null;
      if (outcome.followUp) {
        next = { id: outcome.followUp.id, kind: 'release', target: offer?.target ?? '', label: outcome.followUp.label, confirm: outcome.followUp.confirm };
        this.followUpOffers.set(next.id, { offer: next, holder: outcome.followUp.holder, until: finishedAt + FOLLOW_UP_TTL_MS });
      }
      const result: ActionOutcome = {
        id: actionId,
        ok: outcome.ok,
        steps: outcome.steps,
        message: outcome.message,
        downtimeSeconds: outcome.downtimeSeconds,
        startedAt,
        finishedAt,
        followUp: next,
      };
      try {
        await this.log.append({ id: actionId, kind: offer?.kind ?? null, target: offer?.target ?? null, startedAt, finishedAt, ok: result.ok, message: result.message, downtimeSeconds: result.downtimeSeconds, steps: result.steps });
      } catch (error) {
        result.steps = [...result.steps, `could not write the action log: ${errorText(error)}`];
      }
      return result;
    };
    const refuse = (message: string) => finish({ ok: false, steps: [], message, downtimeSeconds: null });

    if (!offer) return refuse(`${actionId} is not on offer now; the state may have changed since it was shown`);
    const replay = effectsRefused(this.deps);
    if (replay) return refuse(replay);
    if (this.running.has(offer.target)) return refuse(`an action on ${offer.target} is already running`);
    this.running.add(offer.target);
    try {
      return await finish(await this.dispatch(actionId, offer, context, followUp ?? null));
    } catch (error) {
      return await finish({ ok: false, steps: [], message: `the action failed: ${errorText(error)}`, downtimeSeconds: null });
    } finally {
      this.running.delete(offer.target);
      if (offer.kind === 'release') this.deps.locks?.recheck?.();
      else if (offer.kind === 'unload') this.deps.models?.reread?.(offer.target);
      else this.deps.services?.recheck?.(offer.target);
    }
  }

  private async dispatch(actionId: string, offer: ActionOffer, context: ActionContext, followUp: PendingFollowUp | null): Promise<Outcome> {
    const none = (what: string): Outcome => ({ ok: false, steps: [], message: `${what} ${offer.target} is no longer shown; nothing was done`, downtimeSeconds: null });
    if (actionId.startsWith('release-kill:')) {
      if (!followUp) return none('the lock on');
      this.followUpOffers.delete(actionId);
      return releaseLock(this.deps, offer.target, followUp.holder, 'SIGKILL');
    }
    switch (offer.kind) {
      case 'restart': {
        const target = context.service?.(offer.target);
        return target ? restartService(this.deps, target) : none('the service');
      }
      case 'readopt': {
        const target = context.service?.(offer.target);
        return target ? readoptService(this.deps, target) : none('the service');
      }
      case 'release': {
        const target = context.lock?.(offer.target);
        return target ? releaseLock(this.deps, offer.target, target.holder, 'SIGTERM') : none('the file');
      }
      case 'watch':
        return this.deps.watchService ? this.deps.watchService(offer.target) : { ok: false, steps: [], message: 'this engine has no config file to add it to', downtimeSeconds: null };
      case 'unload': {
        const model = actionId.slice(`unload:${offer.target}:`.length);
        const target = context.model?.(offer.target, model);
        return target ? unloadModel(this.deps, target) : none(`the model ${model} of`);
      }
    }
  }
}
