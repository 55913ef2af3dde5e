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
  try {
    const res = await fetch(target, {
      method: body ? "POST" : "GET",
      ...(body ? { body: body.slice(0, 10_000) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) log.warn({ url: target, status: res.status }, `dead-man's switch ping answered ${res.status}`);
    await res.body?.cancel();
  } catch (err) {
    log.warn({ url: target, err: (err as Error).message }, "dead-man's switch ping failed");
  }
}
