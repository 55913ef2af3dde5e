import { Writable } from "node:stream";
import { createLogger, type Logger } from "@lag/log";

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface MemoryLogger {
  logger: Logger;
  lines: LogLine[];
  /** Resolves with the first line that satisfies the predicate (already logged or still to come). */
  waitFor(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Everything logged, as the raw text pino wrote. */
  text(): string;
}

/** A real pino logger (redaction included) whose lines are kept for assertions. */
export function memoryLogger(name: string): MemoryLogger {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l) as LogLine);
      }
      for (const w of waiters) w();
      cb();
    },
  });
  const logger = createLogger({ name, level: "debug", destination });
  return {
    logger,
    lines,
    text: () => raw.join("\n"),
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise((res, rej) => {
        const check = () => {
          const hit = lines.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            res(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          rej(new Error(`no matching log line within ${timeoutMs} ms; got:\n${raw.slice(-20).join("\n")}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
