import { redactConfig, redactDeep } from '../common/redact.js';
import type { CaptureBundle } from './capture.js';

/**
 * A bundle fit to attach to a bug report: the config's secret fields and every secret in the
 * recorded facts (URL credentials, auth headers, secret environment values in launchctl and
 * systemd output, plists) hidden, the same way in the config and in the facts, so a probe of
 * a redacted URL still finds its recorded answer on replay.
 */
export function redactCapture(bundle: CaptureBundle): { bundle: CaptureBundle; secrets: number } {
  const config = bundle.config === undefined ? { value: undefined, secrets: 0 } : redactConfig(bundle.config);
  const samples = redactDeep(bundle.samples);
  return {
    bundle: { ...bundle, ...(config.value === undefined ? {} : { config: config.value }), samples: samples.value },
    secrets: config.secrets + samples.secrets,
  };
}
