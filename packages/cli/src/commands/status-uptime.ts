import type { UptimeReply, UptimeWindow } from "@lag/contracts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";

/** `99.95 %`, or `–` without history; red under 99 %, yellow under 99.9 %. */
export function availability(pct: number | null, s: Style): string {
  if (pct === null) return s.dim("–");
  const text = `${pct >= 99.995 && pct < 100 ? pct.toFixed(3) : pct.toFixed(2)} %`;
  return pct < 99 ? s.red(text) : pct < 99.9 ? s.yellow(text) : s.green(text);
}

const ms = (v: number | null) => (v === null ? "–" : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);

/** One character per day, oldest first: █ all up, ▆ ≥ 99 %, ▃ ≥ 95 %, ▁ below, · no history. */
export function dayBars(days: UptimeReply["checks"][number]["days"], s: Style): string {
  return days
    .map((d) => {
      const p = d.availabilityPct;
      if (p === null) return s.dim("·");
      if (p >= 99.9) return s.green("█");
      if (p >= 99) return s.yellow("▆");
      return s.red(p >= 95 ? "▃" : "▁");
    })
    .join("");
}

/** `lag status --uptime`: each host's checks with their availability, percentiles and daily bars, then the silences shown. */
export function renderUptime(replies: readonly UptimeReply[], s: Style): string[] {
  const out: string[] = [];
  const rows = replies.flatMap((r) => r.checks.map((c) => ({ host: r.host, c })));
  if (rows.length === 0) return ["no check has history yet (checks are configured under it.monitor.checks)"];
  const w = (c: (typeof rows)[number]["c"], name: UptimeWindow["window"]) => c.windows.find((x) => x.window === name);
  const days = replies[0]?.checks[0]?.days.length ?? 0;
  out.push(
    ...table(
      ["HOST", "CHECK", "24H", "7D", "30D", "1Y", "P50", "P95", "P99", `LAST ${days} DAYS`],
      rows.map(({ host, c }) => {
        const day = w(c, "24h");
        return [
          host,
          c.check,
          availability(day?.availabilityPct ?? null, s),
          availability(w(c, "7d")?.availabilityPct ?? null, s),
          availability(w(c, "30d")?.availabilityPct ?? null, s),
          availability(w(c, "1y")?.availabilityPct ?? null, s),
          ms(day?.p50Ms ?? null),
          ms(day?.p95Ms ?? null),
          ms(day?.p99Ms ?? null),
          dayBars(c.days, s),
        ];
      }),
      s.bold,
    ),
  );
  const first = replies[0];
  out.push(
    s.dim(
      `percentiles over 24 h; days in ${first?.timezone ?? "UTC"}; ${first?.excludeSilences ? "time under silences left out" : "silences counted (--exclude-silences leaves them out)"}`,
    ),
  );
  const silences = rows.flatMap(({ host, c }) => c.silences.map((x) => ({ host, check: c.check, x })));
  if (silences.length > 0) {
    out.push("", s.bold("MAINTENANCE WINDOWS (SILENCES)"));
    out.push(
      ...table(
        ["HOST", "CHECK", "FROM (UTC)", "TO (UTC)", "BY", "NOTE"],
        silences.map(({ host, check, x }) => [
          host,
          check,
          x.startsAt.slice(0, 16).replace("T", " "),
          x.endsAt.slice(0, 16).replace("T", " "),
          x.createdBy,
          x.note,
        ]),
      ),
    );
  }
  for (const r of replies) if (r.silencesError) out.push(s.yellow(`${r.host}: ${r.silencesError}; no silence shown or left out`));
  return out;
}
