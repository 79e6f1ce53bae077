import type { ThermalView } from '../../common/senses.js';

export const PMSET_THERM_ARGV = ['pmset', '-g', 'therm'] as const;

const NO_THERMAL = /No thermal warning level has been recorded/i;
const NO_PERFORMANCE = /No performance warning level has been recorded/i;
/** The recorded-level form is not in a real sample yet: matched loosely ("Thermal warning level set to 2."). */
const THERMAL_LEVEL = /^\s*thermal warning level\b[^\n]*?(\d+)/im;
const PERFORMANCE_LEVEL = /^\s*performance warning level\b[^\n]*?(\d+)/im;
const LIMIT = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*(\\d+)\\s*$`, 'm');

/**
 * `pmset -g therm` (no root): the two notes, and the CPU power block where one was recorded
 * (tab-indented `KEY \t= VALUE`). A speed or scheduler limit under 100 %, or a recorded
 * warning level above 0, is throttling. Null: nothing Warden recognises was printed.
 */
export function parsePmsetTherm(text: string): ThermalView | null {
  const speed = LIMIT('CPU_Speed_Limit').exec(text);
  const scheduler = LIMIT('CPU_Scheduler_Limit').exec(text);
  const thermalLevel = NO_THERMAL.test(text) ? null : THERMAL_LEVEL.exec(text);
  const performanceLevel = NO_PERFORMANCE.test(text) ? null : PERFORMANCE_LEVEL.exec(text);
  const recognised = speed || scheduler || thermalLevel || performanceLevel || NO_THERMAL.test(text) || NO_PERFORMANCE.test(text);
  if (!recognised) return null;
  const speedLimitPercent = speed ? Number(speed[1]) : null;
  const schedulerLimitPercent = scheduler ? Number(scheduler[1]) : null;
  const thermalWarning = thermalLevel ? thermalLevel[0].trim() : null;
  const performanceWarning = performanceLevel ? performanceLevel[0].trim() : null;
  const reasons: string[] = [];
  if (speedLimitPercent !== null && speedLimitPercent < 100) reasons.push(`CPU speed limited to ${speedLimitPercent} %`);
  if (schedulerLimitPercent !== null && schedulerLimitPercent < 100) reasons.push(`CPU scheduler limited to ${schedulerLimitPercent} %`);
  if (thermalLevel && Number(thermalLevel[1]) > 0) reasons.push(`thermal warning level ${thermalLevel[1]}`);
  if (performanceLevel && Number(performanceLevel[1]) > 0) reasons.push(`performance warning level ${performanceLevel[1]}`);
  let summary: string;
  if (reasons.length > 0) summary = reasons.join(', ');
  else if (speedLimitPercent !== null) summary = `no warning, CPU speed limit ${speedLimitPercent} %`;
  else summary = 'no thermal or performance warning recorded';
  return {
    source: 'pmset -g therm',
    throttled: reasons.length > 0,
    summary,
    speedLimitPercent,
    schedulerLimitPercent,
    thermalWarning,
    performanceWarning,
    zones: [],
    cpuFreq: null,
    throttledSince: null,
    appState: null,
  };
}
