export type { Logger, LogLevel, LogOptions } from "./logger.ts";
export { createLogger } from "./logger.ts";
export { CENSOR, isSecretKey, redact, redactString } from "./redact.ts";
