/** Turns a pino JSON line into `06:01:02 it-monitor INFO  message key=value`, for the terminal. */
const COLORS: Record<string, string> = {
  trace: "\x1b[90m",
  debug: "\x1b[90m",
  info: "\x1b[36m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
  fatal: "\x1b[41m",
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
const SKIP = new Set(["level", "time", "pid", "hostname", "name", "msg", "component"]);

export function formatLine(name: string, line: string, color: boolean, width = 10): string {
  const tag = name.padEnd(width);
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${color ? DIM : ""}${tag}${color ? RESET : ""} ${line}`;
  }
  const level = String(rec.level ?? "info");
  const time = typeof rec.time === "string" ? rec.time.slice(11, 19) : "";
  const extras = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const lv = level.toUpperCase().padEnd(5);
  if (!color) return `${time} ${tag} ${lv} ${String(rec.msg ?? "")}${extras ? ` ${extras}` : ""}`;
  return `${DIM}${time}${RESET} ${tag} ${COLORS[level] ?? ""}${lv}${RESET} ${String(rec.msg ?? "")}${extras ? ` ${DIM}${extras}${RESET}` : ""}`;
}
