import type { Logger } from "@lag/log";

export type PingKind = "start" | "success" | "fail";

/**
 * Tells an outside dead-man's switch (Healthchecks.io's protocol: `<url>/start`, `<url>`,
 * `<url>/fail`, an optional body) how a run went. It is the one witness that notices when Kronos is
 * down entirely; a ping that fails is logged and never fails the backup.
 */
export async function ping(url: string | undefined, kind: PingKind, log: Logger, body?: string): Promise<void> {
  if (!url) return;
  const target = kind === "success" ? url : `${url.replace(/\/+$/, "")}/${kind}`;
  // The URL's path is the check's key (whoever has it can ping): logs name the server only.
  const server = new URL(url).origin;
  try {
    const res = await fetch(target, {
      method: body ? "POST" : "GET",
      ...(body ? { body: body.slice(0, 10_000) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) log.warn({ server, kind, status: res.status }, `dead-man's switch ping answered ${res.status}`);
    await res.body?.cancel();
  } catch (err) {
    log.warn({ server, kind, err: (err as Error).message }, "dead-man's switch ping failed");
  }
}
