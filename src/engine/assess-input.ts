import type { SensesView } from '../common/senses.js';
import type { JudgedFinding } from '../common/findings.js';
import type { MemoryView } from '../common/memory.js';
import type { ModelServerView } from '../common/models.js';
import type { ProcessRow, Thief } from '../common/processes.js';
import type { JobView, LockView, ServiceView } from '../common/services.js';
import type { UnknownPart } from '../common/state.js';

/** Everything one cycle read, already analysed into views; the input of the judgement. */
export type Observation = {
  memory: MemoryView | null;
  /** Why memory could not be read this cycle, when it could not (the one place it is carried). */
  memoryUnknown: string | null;
  thieves: Thief[];
  services: ServiceView[];
  locks: LockView[];
  jobs: JobView[];
  /** The other parts not read this cycle; memory's is `memoryUnknown`. */
  unknowns: UnknownPart[];
  /** What the local LLM servers have loaded (the straw may be a model). */
  models?: ModelServerView[];
  /** When the host last woke from sleep; probe samples in the grace after it do not count. */
  wokeAt?: number | null;
  /** This cycle's process table, so diagnose can say whether a silent server is busy or idle. */
  processes?: ProcessRow[];
  /** A process's CPU % over the last interval (ps %cpu is a lifetime average on Linux). */
  cpuNow?: (pid: number) => number | null;
  /** IANA zone for local times in titles; this machine's when absent. */
  timeZone?: string;
  /** Thermal, disk, load and the services' logs: the candidate causes besides memory. */
  senses?: SensesView | null;
};

/** A finding before its `since` and causes are known; `about` is what it judged. */
export type Draft = Omit<JudgedFinding, 'since' | 'causes'>;
