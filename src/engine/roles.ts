import type { ProcessRole } from '../common/processes.js';

interface RoleRule {
  role: ProcessRole;
  label: string;
  test: (name: string, command: string) => boolean;
}

/**
 * Recognised from name and command line (see shared reference: local-llm-servers.md §5). Order
 * matters: the model-holding children are checked before the apps that start them, because a
 * `llama-server` may belong to Ollama, Jan or a llama.cpp router.
 */
const RULES: RoleRule[] = [
  {
    role: 'ollama-runner',
    label: 'Ollama model runner',
    test: (n, c) =>
      n === 'ollama_llama_server' ||
      /\bollama runner\b/.test(c) ||
      (n === 'llama-server' && (/Ollama\.app\/Contents\/Resources\//.test(c) || /lib\/ollama\/llama-server/.test(c))),
  },
  { role: 'jan', label: 'Jan model runner', test: (n, c) => n === 'jan-llama-worker' || (n === 'llama-server' && /\/Jan\//.test(c)) },
  { role: 'llama-server', label: 'llama.cpp server', test: (n) => n === 'llama-server' || n === 'llama-swap' },
  { role: 'ollama', label: 'Ollama', test: (n, c) => n === 'Ollama' || (n === 'ollama' && /\bserve\b/.test(c)) },
  {
    role: 'lmstudio-worker',
    label: 'LM Studio worker',
    test: (n, c) => /^LM Studio Helper/.test(n) || /llmworker/.test(c) || /\.lmstudio\/.*(llmster|worker)/.test(c),
  },
  { role: 'lmstudio', label: 'LM Studio', test: (n, c) => n === 'LM Studio' || n === 'lms' || /LM Studio\.app\/Contents\/MacOS\//.test(c) },
  { role: 'vllm', label: 'vLLM', test: (n, c) => c.includes('VLLM::EngineCore') || /\bvllm serve\b/.test(c) || n === 'vllm' },
  { role: 'localai', label: 'LocalAI', test: (n) => n === 'local-ai' || n.startsWith('local-ai-') },
  {
    role: 'mlx-server',
    label: 'MLX server',
    test: (n, c) => /mlx_lm[. ]server|mlx_lm\.server|-m mlx_lm server/.test(c) || /(^|[-_])mlx([-_]|$)/i.test(n),
  },
  {
    role: 'vm',
    label: 'virtual machine',
    test: (n) => n.startsWith('qemu-system-') || n === 'com.apple.Virtualization.VirtualMachine' || n === 'vfkit' || n === 'krunkit',
  },
  { role: 'electron-helper', label: 'Electron helper', test: (n) => / Helper( \((Renderer|GPU|Plugin)\))?$/.test(n) },
];

export function recogniseRole(name: string, command: string): { role: ProcessRole; label: string } | null {
  for (const rule of RULES) if (rule.test(name, command)) return { role: rule.role, label: rule.label };
  return null;
}
