import { createLogger, type Logger } from "@lag/log";

/**
 * The bus logs in JSON for agents; at a terminal its warnings (a lost connection, a permission the
 * server denied) should read as sentences. Lines below `warn` are not shown: "connected" is noise here.
 */
export function cliLogger(write: (line: string) => void): Logger {
  return createLogger({
    name: "lag",
    level: "warn",
    destination: {
      write(json: string) {
        for (const raw of json.split("\n").filter(Boolean)) {
          const l = JSON.parse(raw) as { level?: string; msg?: string; err?: { message?: string } };
          const cause = l.err?.message && l.err.message !== l.msg ? ` (${l.err.message})` : "";
          write(`lag: ${l.level === "warn" ? "warning" : (l.level ?? "error")}: ${l.msg ?? raw}${cause}`);
        }
      },
    },
  });
}
