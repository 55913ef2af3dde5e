export type { LoadConfigOptions, LoadedConfig } from "./load.ts";
export { configFile, loadConfig } from "./load.ts";
export { ConfigError, formatConfigError } from "./errors.ts";
export { BYTE_SIZE_FORMS, byteSize, parseByteSize } from "./byte-size.ts";
export { DURATION_FORMS, duration, parseDuration } from "./duration.ts";
export { CommonConfig, DEFAULT_NATS_SERVER, JetStreamConfig, LOG_LEVELS, LogConfig, NatsConfig } from "./common.ts";
export { closest } from "./did-you-mean.ts";
export { readSecret, SecretRef } from "./secret-ref.ts";
export { cronIssue, cronSchedule } from "./cron.ts";
