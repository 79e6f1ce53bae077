/** One row of the process table, as read in one `ps` call. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  uid: number;
  rssBytes: number;
  /** ps %cpu: darwin's decaying average; on linux a lifetime average, so the engine prefers deltas of cpuSeconds. */
  cpuPercent: number;
  /** Cumulative CPU time, when ps reported it. */
  cpuSeconds: number | null;
  elapsedSeconds: number;
  /** Start time in ms since the epoch, derived from the sample time and etime (±1 s). */
  startedAt: number;
  /** Executable name for people (basename of argv[0], app bundles understood). */
  name: string;
  /** Full command line, untruncated, as ps printed it. */
  command: string;
  zombie: boolean;
  /** darwin physical footprint (what Activity Monitor calls Memory), for the top few by memory. */
  footprintBytes?: number;
}

export interface ProcessTable {
  at: number;
  rows: ProcessRow[];
  /** ps lines that did not have the expected columns: a format change shows here first. */
  skipped?: number;
}

/** What a process is, recognised from its name and command line. */
export type ProcessRole =
  | 'ollama'
  | 'ollama-runner'
  | 'lmstudio'
  | 'lmstudio-worker'
  | 'llama-server'
  | 'mlx-server'
  | 'vllm'
  | 'localai'
  | 'jan'
  | 'vm'
  | 'electron-helper';

export interface Growth {
  bytesPerHour: number;
  /** Quality of the straight-line fit, 0–1. */
  r2: number;
  windowSeconds: number;
  /** When available memory runs out at this rate; null when not growing toward it. */
  exhaustsInSeconds: number | null;
}

export interface SustainedCpu {
  averagePercent: number;
  forSeconds: number;
}

/** A process worth naming: it holds memory or CPU, it grows, or it arrived recently. */
export interface Thief {
  pid: number;
  startedAt: number;
  name: string;
  command: string;
  role: ProcessRole | null;
  roleLabel: string | null;
  rssBytes: number;
  footprintBytes: number | null;
  /** Which number `memoryBytes` is, so the UI always says what it shows. */
  memoryMetric: 'rss' | 'footprint';
  memoryBytes: number;
  cpuPercent: number;
  sustainedCpu: SustainedCpu | null;
  growth: Growth | null;
  /** Set when the process appeared inside the arrival window. */
  arrivedAgoSeconds: number | null;
  /** Why it is listed: "memory" (top holder), "cpu", "growth", "arrival". */
  reasons: Array<'memory' | 'cpu' | 'growth' | 'arrival'>;
  /** One line for an operator: "~50.0 GB, growing 3.5 GB/h (R² 0.98 over 11 h)". */
  story: string;
}
