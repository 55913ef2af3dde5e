import { sleep } from "@lag/async";
import type { Runbook } from "./runbook.ts";

/** Restarts a container through the Docker API, then waits until it runs and, if it has a health check, is healthy. */
export const restartContainer: Runbook<"restart-container"> = {
  kind: "restart-container",
  propose(incident, alert, host) {
    const container = alert.labels.container;
    if (!container) return { cannot: `alert ${alert.rule} names no container` };
    if (alert.host !== host) return { cannot: `container ${container} runs on ${alert.host}; this worker acts on ${host}` };
    return {
      action: { kind: "restart-container", params: { host: alert.host, container } },
      reason: `${alert.summary}; restarting it is the runbook for ${alert.rule}`,
      evidence: {
        summary: `restart container ${container} on ${alert.host}`,
        observed: [`${alert.summary} (since ${alert.startsAt})`, `incident ${incident.id}: ${incident.title}`],
      },
      labels: { container },
    };
  },
  async run({ container }, ctx) {
    await ctx.docker.restartContainer(container, 10);
    const deadline = Date.now() + ctx.verifyTimeoutMs;
    let last = "";
    while (Date.now() < deadline && !ctx.signal.aborted) {
      const i = await ctx.docker.inspectContainer(container).catch((err: Error) => ({ error: err.message }) as const);
      if ("error" in i) last = i.error;
      else {
        const health = i.State.Health?.Status;
        last = `${i.State.Status}${health ? `, ${health}` : ""}`;
        if (i.State.Running && (health === undefined || health === "healthy")) {
          return { ok: true, note: `restarted ${container}: ${last}`, data: { state: i.State.Status, ...(health ? { health } : {}) } };
        }
      }
      await sleep(1_000, ctx.signal);
    }
    return {
      ok: false,
      note: `restarted ${container}, but it was not running and healthy within ${Math.round(ctx.verifyTimeoutMs / 1000)} s (last: ${last})`,
    };
  },
};
