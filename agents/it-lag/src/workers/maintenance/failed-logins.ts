import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { runCommand } from "@lag/command";
import type { LoginSource } from "@lag/contracts";

/** sshd's lines for a failed attempt: a wrong password or key, a user that does not exist. */
const FAILED = /Failed (?:password|publickey|keyboard-interactive\/pam|none) for (?:invalid user )?(\S*) from (\S+) port \d+/;

export interface Attempt {
  at: number;
  user: string;
  address: string;
}

/** A failed attempt in one sshd message, or undefined. */
export function parseAttempt(message: string, at: number): Attempt | undefined {
  const m = FAILED.exec(message);
  return m ? { at, user: m[1]!, address: m[2]! } : undefined;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * When an auth.log line was written: Debian 12's rsyslog writes RFC 3339 (`2026-12-01T10:00:00.123456+00:00`),
 * older ones the traditional `Dec  1 10:00:00` (local time, no year: the latest such date not after now).
 */
export function lineTime(line: string, now: Date): number | undefined {
  const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s/.exec(line);
  if (iso) return Date.parse(iso[1]!);
  const trad = /^([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})\s/.exec(line);
  if (!trad) return undefined;
  const month = MONTHS.indexOf(trad[1]!);
  if (month < 0) return undefined;
  const at = (year: number) => new Date(year, month, Number(trad[2]), Number(trad[3]), Number(trad[4]), Number(trad[5])).getTime();
  const t = at(now.getFullYear());
  return t > now.getTime() + 86_400_000 ? at(now.getFullYear() - 1) : t;
}

/** The attempts of an auth.log since `since`. */
export async function attemptsFromFile(file: string, since: number, now: Date): Promise<Attempt[]> {
  const out: Attempt[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.includes("sshd")) continue;
    const at = lineTime(line, now);
    if (at === undefined || at < since) continue;
    const a = parseAttempt(line, at);
    if (a) out.push(a);
  }
  return out;
}

/** The attempts in the systemd journal since `since` (sshd's own messages, `-o json`: one object a line). */
export async function attemptsFromJournal(journalctl: readonly string[], since: number, signal?: AbortSignal): Promise<Attempt[]> {
  const [program, ...args] = journalctl;
  const out: Attempt[] = [];
  await runCommand(
    program!,
    [...args, "-q", "--no-pager", "-o", "json", "--since", `@${Math.floor(since / 1000)}`, "-t", "sshd", "-t", "sshd-session"],
    {
      timeoutMs: 60_000,
      check: true,
      maxBuffer: 64 * 1024,
      onJson: (v) => {
        const e = v as { MESSAGE?: unknown; __REALTIME_TIMESTAMP?: string };
        if (typeof e.MESSAGE !== "string") return;
        const a = parseAttempt(e.MESSAGE, Math.floor(Number(e.__REALTIME_TIMESTAMP ?? 0) / 1000));
        if (a) out.push(a);
      },
      ...(signal ? { signal } : {}),
    },
  );
  return out;
}

/** Where to read: the journal when asked (or when `auto` and it answers), else the file. */
export async function readAttempts(o: {
  source: "auto" | "journal" | "file";
  file: string;
  journalctl: readonly string[];
  since: number;
  now: Date;
  signal?: AbortSignal;
}): Promise<{ source: string; attempts: Attempt[] }> {
  if (o.source === "file" || (o.source === "auto" && existsSync(o.file)))
    return { source: o.file, attempts: await attemptsFromFile(o.file, o.since, o.now) };
  return { source: "journal", attempts: await attemptsFromJournal(o.journalctl, o.since, o.signal) };
}

/** Per source address: how many, which users were tried, the last one; most attempts first. */
export function bySource(attempts: readonly Attempt[]): LoginSource[] {
  const m = new Map<string, { count: number; users: Set<string>; last: number }>();
  for (const a of attempts) {
    const s = m.get(a.address) ?? { count: 0, users: new Set<string>(), last: 0 };
    s.count++;
    s.users.add(a.user);
    s.last = Math.max(s.last, a.at);
    m.set(a.address, s);
  }
  return [...m.entries()]
    .map(([address, s]) => ({ address, count: s.count, users: [...s.users].sort().slice(0, 10), last: new Date(s.last).toISOString() }))
    .sort((a, b) => b.count - a.count || a.address.localeCompare(b.address));
}
