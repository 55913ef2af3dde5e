import type { Bus } from "@lag/bus";
import { incidentsService, type Silence, type UptimeQuery, type UptimeReply } from "@lag/contracts";
import type { z } from "zod";
import type { HistoryKeeper } from "./history/keeper.ts";
import { lastLocalDays } from "./history/local-days.ts";

/** How long the uptime answer waits for it-incidents' silences before going on without them. */
const SILENCES_TIMEOUT_MS = 3_000;

/**
 * `lag.it.monitor.uptime.<host>`: the figures come from this host's history; the silences
 * (maintenance windows) from it-incidents, every one it keeps, so that past windows are shown and,
 * when asked, left out. Without an answer from it-incidents the figures are still given, and say why
 * no silence is in them.
 */
export async function uptimeReply(
  bus: Bus,
  history: HistoryKeeper,
  host: string,
  q: z.output<typeof UptimeQuery>,
  now: Date,
): Promise<UptimeReply> {
  let silences: Silence[] = [];
  let silencesError: string | undefined;
  try {
    silences = (await bus.request(incidentsService.endpoints.silences, { all: true }, { timeout: SILENCES_TIMEOUT_MS })).silences;
  } catch (err) {
    silencesError = `it-incidents did not answer for silences (${(err as Error).message})`;
  }
  const t = now.getTime();
  return {
    host,
    at: now.toISOString(),
    timezone: q.timezone,
    excludeSilences: q.excludeSilences && silencesError === undefined,
    ...(silencesError ? { silencesError } : {}),
    checks: history.uptime({
      host,
      now: t,
      ...(q.checks ? { checks: q.checks } : {}),
      days: lastLocalDays(t, q.days, q.timezone),
      silences,
      exclude: q.excludeSilences,
    }),
  };
}
