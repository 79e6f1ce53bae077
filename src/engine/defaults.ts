import type { NotificationConfig, Thresholds } from '../common/config.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The judgement's numbers; docs/judgement.md gives the reason for each. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  arrivalMinBytes: 2 * GiB,
  arrivalWindowMinutes: 30,
  growthMinWindowMinutes: 20,
  growthMinR2: 0.8,
  /** 0.5 GB/h, in the decimal GB that rates are shown in (512 MiB/h is 0.537 GB/h and let a 0.52 GB/h leak pass). */
  growthMinBytesPerHour: 0.5e9,
  growthExhaustWarnHours: 2,
  sustainedCpuPercent: 150,
  sustainedCpuMinutes: 10,
  topByMemory: 5,
  swapOutWarnBytesPerSec: 1 * MiB,
  availableCritPercent: 5,
  probeFailuresN: 3,
  probeWindowM: 5,
  latencyWarnFactor: 5,
  lockMaxHeldMinutes: 30,
  jobGraceMinutes: 60,
};

export const DEFAULT_NOTIFICATIONS: NotificationConfig = {
  onWarn: false,
  recovery: true,
  recoveryAfterCycles: 3,
  reminderHours: null,
  quietHours: null,
  pendingCycles: 2,
  pendingWindow: 3,
  groupSeconds: 30,
  channels: [],
};

/** Reminders more often than this are the nagging that trains operators to ignore Warden. */
export const MIN_REMINDER_HOURS = 4;

/** Probe samples taken this soon after wake from sleep do not count: Wi-Fi, DNS and swapped-out servers are still waking. */
export const WAKE_GRACE_SECONDS = 180;

/** A latency below this is never "slow", whatever the ratio: 2 ms → 11 ms on loopback is noise. */
export const SLOW_MIN_MS = 250;

/**
 * Memory and process findings are causes: they turn the tray red at once, but page on their own
 * only after this long. A symptom they explain (a service not answering) pages at once with them
 * as its cause; a host that stays exhausted with no service to show it still pages, as itself.
 */
export const CAUSE_PAGES_ALONE_AFTER_MINUTES = 30;

/**
 * A memory or process finding is judged afresh from every sample; for pending and recovery one
 * observation of it is a stretch this long (the default cycle), so at a 1 s cycle it takes 5
 * samples. A two-sample spike at 1 s then confirms no more than a one-sample one at 5 s.
 */
export const CAUSE_OBSERVATION_SECONDS = 5;
