import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { redact, redactString } from "./redact.ts";

export type { Logger };
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface LogOptions {
  /** The process name shown in every line (`it-monitor`). */
  name: string;
  level?: LogLevel;
  /** Where lines go; stdout by default (the launcher prefixes and files them). */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** One JSON logger per process, secrets censored before anything is written. */
export function createLogger(opts: LogOptions): Logger {
  const options: LoggerOptions = {
    name: opts.name,
    level: opts.level ?? "info",
    base: { pid: process.pid, ...opts.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: "msg",
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redact(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // The message string itself may carry a URL with credentials.
        const redacted = args.map((a) => (typeof a === "string" ? redactString(a) : a)) as typeof args;
        // `log.error(err)` makes err.message the line's message after this hook: give it one already redacted.
        if (args[0] instanceof Error && typeof args[1] !== "string") redacted.splice(1, 0, redactString(args[0].message));
        method.apply(this, redacted);
      },
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
