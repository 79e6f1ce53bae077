import type { ProcessRole } from '../common/processes.js';

/** What a role is recognised from: a process and, through `ancestry`, its parents. */
export interface RoleProcess {
  pid: number;
  ppid: number;
  name: string;
  command: string;
}

interface RoleRule {
  role: ProcessRole;
  /** The label, or a function of the process for labels that name an app. */
  label: string | ((p: RoleProcess, ancestry: readonly RoleProcess[]) => string);
  test: (p: RoleProcess, ancestry: readonly RoleProcess[]) => boolean;
}

/** How far up the parent chain roles look: launchd → app → server → runner is three. */
const MAX_ANCESTRY = 6;

const isOllama = (p: RoleProcess) => p.name === 'Ollama' || (p.name === 'ollama' && /\bserve\b/.test(p.command)) || /Ollama\.app\/Contents\/MacOS\/Ollama\b/.test(p.command);
const isJan = (p: RoleProcess) => p.name === 'Jan' || /\/Jan\.app\/Contents\/MacOS\//.test(p.command);
const isLmStudio = (p: RoleProcess) => p.name === 'LM Studio' || /LM Studio\.app\/Contents\/MacOS\//.test(p.command);
const isLocalAi = (p: RoleProcess) => p.name === 'local-ai' || p.name.startsWith('local-ai-');
const under = (ancestry: readonly RoleProcess[], test: (p: RoleProcess) => boolean) => ancestry.some(test);
/** A Chromium-style helper: `X Helper`, `X Helper (Renderer)`, `(GPU)`, `(Plugin)`, `(Alerts)`. */
const HELPER = / Helper( \([A-Za-z ]+\))?$/;

/**
 * Recognised from name, command line and parent chain (see shared reference:
 * local-llm-servers.md §5). Order matters: the model-holding children are checked before the
 * apps that start them, because a `llama-server` may belong to Ollama (v0.30+ runs upstream
 * llama-server as its runner, by a bare name when PATH finds it), Jan, LM Studio or a llama.cpp
 * router. A model path in Ollama's blob store alone is not Ollama: people point llama.cpp at
 * those blobs by hand; the parent says who started it.
 */
const RULES: RoleRule[] = [
  {
    role: 'ollama-runner',
    label: 'Ollama model runner',
    test: (p, up) =>
      p.name === 'ollama_llama_server' ||
      /\bollama runner\b/.test(p.command) ||
      (p.name === 'llama-server' && (/Ollama\.app\/Contents\/Resources\//.test(p.command) || /lib\/ollama\/llama-server/.test(p.command) || under(up, isOllama))),
  },
  {
    role: 'jan',
    label: 'Jan model runner',
    test: (p, up) => p.name === 'jan-llama-worker' || (p.name === 'llama-server' && (/\/Jan\//.test(p.command) || under(up, isJan))),
  },
  {
    role: 'lmstudio-worker',
    label: 'LM Studio worker',
    // The bare `LM Studio Helper` owns the port and loads models; `(Renderer)`, `(GPU)` are the UI's helpers.
    test: (p, up) =>
      p.name === 'LM Studio Helper' ||
      /llmworker/.test(p.command) ||
      /\.lmstudio\/.*(llmster|worker)/.test(p.command) ||
      (p.name === 'llama-server' && under(up, isLmStudio)),
  },
  { role: 'llama-server', label: 'llama.cpp server', test: (p) => p.name === 'llama-server' || p.name === 'llama-swap' },
  { role: 'ollama', label: 'Ollama', test: isOllama },
  { role: 'lmstudio', label: 'LM Studio', test: (p) => isLmStudio(p) || p.name === 'lms' },
  { role: 'vllm', label: 'vLLM', test: (p) => p.command.includes('VLLM::EngineCore') || /\bvllm serve\b/.test(p.command) || p.name === 'vllm' },
  { role: 'localai', label: 'LocalAI', test: isLocalAi },
  // LocalAI runs one gRPC backend process per loaded model: it holds the weights.
  { role: 'localai', label: 'LocalAI model backend', test: (_p, up) => under(up, isLocalAi) },
  {
    role: 'mlx-server',
    label: 'MLX server',
    test: (p) => /mlx_lm[. ]server|mlx_lm\.server|-m mlx_lm server/.test(p.command) || /(^|[-_])mlx([-_]|$)/i.test(p.name),
  },
  {
    role: 'vm',
    label: 'virtual machine',
    test: (p) => p.name.startsWith('qemu-system-') || p.name === 'com.apple.Virtualization.VirtualMachine' || p.name === 'vfkit' || p.name === 'krunkit',
  },
  { role: 'electron-helper', label: (p, up) => `${helperApp(p, up)} helper`, test: (p) => HELPER.test(p.name) },
];

/**
 * The app a Chromium-style helper belongs to (Electron apps and Chrome share the scheme):
 * the outermost `.app` bundle on its own path (`/Applications/Google Chrome.app/…/Google Chrome
 * Helper (Renderer).app/…` → "Google Chrome"; VS Code's "Code Helper" → "Visual Studio Code"),
 * else its parent's, else the name before " Helper".
 */
function helperApp(p: RoleProcess, ancestry: readonly RoleProcess[]): string {
  for (const proc of [p, ...ancestry]) {
    const bundle = /(?:^|\/)([^/]+?)\.app\//.exec(proc.command);
    if (bundle?.[1]) return bundle[1];
  }
  return p.name.replace(HELPER, '') || 'Electron';
}

export function recogniseRole(p: RoleProcess, ancestry: readonly RoleProcess[] = []): { role: ProcessRole; label: string } | null {
  for (const rule of RULES) {
    if (!rule.test(p, ancestry)) continue;
    return { role: rule.role, label: typeof rule.label === 'string' ? rule.label : rule.label(p, ancestry) };
  }
  return null;
}

/** The parent chain of `p` in one table, nearest first, stopping at launchd, a loop or MAX_ANCESTRY. */
export function ancestryOf<T extends RoleProcess>(p: T, byPid: ReadonlyMap<number, T>): T[] {
  const out: T[] = [];
  const seen = new Set<number>([p.pid]);
  let ppid = p.ppid;
  while (out.length < MAX_ANCESTRY && ppid > 1 && !seen.has(ppid)) {
    const parent = byPid.get(ppid);
    if (!parent) break;
    out.push(parent);
    seen.add(ppid);
    ppid = parent.ppid;
  }
  return out;
}
