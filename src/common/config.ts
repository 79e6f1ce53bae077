/**
 * The one config file shared by the app and the CLI, typed from its schema (config-schema.ts).
 * Zero config is a valid config: `WardenConfigInput` is what a file may hold, `WardenConfig`
 * the config once defaults fill the rest.
 */
import type { Static } from '@sinclair/typebox';
import type {
  AppSchema,
  ChannelSchema,
  CONFIG_SCHEMA,
  JobScheduleSchema,
  JobSchema,
  MetricsSchema,
  NotificationsSchema,
  ServiceLogSchema,
  ServiceSchema,
  SupervisorSchema,
  ThresholdsSchema,
  WatchedFileSchema,
} from './config-schema.js';

export { LOG_BUILTINS, type LogBuiltin } from './config-schema.js';

export type SupervisorConfig = Static<typeof SupervisorSchema>;
export type ServiceConfig = Static<typeof ServiceSchema>;
export type ServiceLogConfig = Static<typeof ServiceLogSchema>;
export type WatchedFileConfig = Static<typeof WatchedFileSchema>;
export type JobSchedule = Static<typeof JobScheduleSchema>;
export type JobConfig = Static<typeof JobSchema>;
export type Thresholds = Required<Static<typeof ThresholdsSchema>>;
export type ChannelConfig = Static<typeof ChannelSchema>;
export type ChannelKind = ChannelConfig['kind'];
export type NotificationConfig = Required<Static<typeof NotificationsSchema>>;
export type MetricsConfig = Static<typeof MetricsSchema>;
export type AppConfig = Required<Static<typeof AppSchema>>;

/** What a config file may hold: every field optional, defaults fill the rest. */
export type WardenConfigInput = Static<typeof CONFIG_SCHEMA>;

type Filled = 'intervalSeconds' | 'discovery' | 'launchAtLogin' | 'services' | 'watchedFiles' | 'jobs';
export type WardenConfig = Required<Pick<WardenConfigInput, Filled>> & {
  thresholds: Thresholds;
  notifications: NotificationConfig;
  app: AppConfig;
  /** null: no /metrics of its own (warden serve has one on its page's port). */
  metrics: MetricsConfig | null;
  modelFolders?: string[];
};
