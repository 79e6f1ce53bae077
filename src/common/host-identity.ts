/** What a bug report needs to say about the machine, read once at start: "macOS 15.4, Mac mini M4 Pro, 64 GB". */
export interface HostIdentity {
  /** "macOS 15.4", "Debian GNU/Linux 12". */
  os: string;
  /** "Mac mini (Mac16,11)"; null where the machine does not say (a container). */
  model: string | null;
  /** "Apple M4 Pro", "Intel Xeon Processor". */
  chip: string | null;
  cores: { logical: number; physical: number | null; performance: number | null; efficiency: number | null };
  memoryBytes: number;
  gpus: string[];
  /** One line: "macOS 15.4 · Mac mini (Mac16,11) · Apple M4 Pro, 14 cores (10 P + 4 E) · 64 GB". */
  summary: string;
}
