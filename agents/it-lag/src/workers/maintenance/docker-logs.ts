import { randomUUID } from "node:crypto";
import { stat, truncate } from "node:fs/promises";
import type { Clock } from "@lag/async";
import { ServiceError } from "@lag/bus";
import { approvalChain, approvalRequests, type ApprovalRequest, formatBytes, type ApprovalDecisionType } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { DockerEngine } from "../../docker/engine.ts";
import type { RaisedAlerts } from "../../raised-alerts.ts";
import type { MaintenanceBook } from "./book.ts";

export interface ContainerLog {
  container: string;
  logPath: string;
  bytes: number;
}

/**
 * Docker's json-file logs, the usual silent disk eater: the size of each container's log, an alert
 * past `warnAt`, and emptying one as an action CEO_LAG approves first (what it held is lost).
 */
export class DockerLogs {
  constructor(
    private readonly o: {
      warnAt: number;
      approvalTimeout: number;
      engine: DockerEngine;
      book: MaintenanceBook;
      alerts: RaisedAlerts;
      outbox: Outbox;
      clock: Clock;
      log: Logger;
      host: string;
    },
  ) {}

  async sizes(): Promise<ContainerLog[]> {
    const out: ContainerLog[] = [];
    for (const c of await this.o.engine.listContainers()) {
      // A container removed between the list and its inspection has no log left to count.
      const i = await this.o.engine.inspectContainer(c.Id).catch(() => undefined);
      if (!i?.LogPath) continue;
      const bytes = await stat(i.LogPath).then(
        (s) => s.size,
        () => 0,
      );
      out.push({ container: i.Name.replace(/^\//, ""), logPath: i.LogPath, bytes });
    }
    return out.sort((a, b) => b.bytes - a.bytes);
  }

  /** Sizes, and an alert for each log past `warnAt` (resolved once it is below). */
  async run(): Promise<{ containers: ContainerLog[]; totalBytes: number; over: string[] }> {
    const containers = await this.sizes();
    const over = containers.filter((c) => c.bytes >= this.o.warnAt);
    for (const c of containers) {
      const labels = { container: c.container };
      if (c.bytes >= this.o.warnAt)
        this.o.alerts.fire({
          rule: "docker-log-size",
          severity: "medium",
          summary: `the Docker log of ${c.container} is ${formatBytes(c.bytes)} (past ${formatBytes(this.o.warnAt)}): lag maintenance truncate ${c.container}, or set a max-size for its log`,
          labels,
          value: c.bytes,
          threshold: this.o.warnAt,
        });
      else this.o.alerts.resolve("docker-log-size", labels, `the Docker log of ${c.container} is ${formatBytes(c.bytes)}`);
    }
    return { containers, totalBytes: containers.reduce((s, c) => s + c.bytes, 0), over: over.map((c) => c.container) };
  }

  /** Asks CEO_LAG to approve emptying a container's log; it is emptied when the decision comes. */
  async requestTruncation(container: string): Promise<{ requestId: string; container: string; bytes: number; note: string }> {
    const c = (await this.sizes()).find((x) => x.container === container);
    if (!c) throw new ServiceError(404, `no container ${container} with a json-file log on ${this.o.host}`);
    const now = this.o.clock.now();
    const requestId = randomUUID();
    this.o.book.saveTruncation({
      requestId,
      container,
      logPath: c.logPath,
      bytes: c.bytes,
      state: "requested",
      at: now.getTime(),
      note: null,
    });
    // The request is its chain's first event: `lag trace <request>` follows it to the truncation.
    const request: ApprovalRequest = {
      id: requestId,
      requester: "it-maintenance",
      action: { kind: "truncate-docker-log", params: { host: this.o.host, container, bytes: c.bytes } },
      reason: `the Docker log of ${container} takes ${formatBytes(c.bytes)} on ${this.o.host}`,
      risk: "medium",
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.o.approvalTimeout).toISOString(),
      links: { correlationId: requestId },
      evidence: {
        summary: `empty the Docker log of ${container} on ${this.o.host} (${formatBytes(c.bytes)}); what it holds is lost`,
        observed: [`${c.logPath} is ${formatBytes(c.bytes)}`, "the container keeps running and writing"],
      },
      labels: { container },
    };
    await this.o.outbox.publish(approvalRequests["it-maintenance"], request, approvalChain.request(request));
    this.o.log.info({ container, requestId, bytes: c.bytes }, "log truncation asked of CEO_LAG");
    return { requestId, container, bytes: c.bytes, note: `asked CEO_LAG (request ${requestId})` };
  }

  /** CEO_LAG's decision on a truncation this worker asked for: carried out only when approved. */
  async decided(d: ApprovalDecisionType): Promise<void> {
    const t = this.o.book.truncation(d.requestId);
    if (t?.state !== "requested") return;
    const at = this.o.clock.now().getTime();
    if (d.decision !== "approved") {
      this.o.book.saveTruncation({ ...t, state: "denied", at, note: `${d.decision} by ${d.by.name}` });
      this.o.log.info({ container: t.container, decision: d.decision }, `truncation of ${t.container}'s log ${d.decision}: nothing done`);
      return;
    }
    try {
      const before = (await stat(t.logPath)).size;
      await truncate(t.logPath, 0);
      this.o.book.saveTruncation({
        ...t,
        state: "truncated",
        at,
        note: `${formatBytes(before)} freed, approved by ${d.by.name} (${d.requestId})`,
      });
      this.o.log.info(
        { container: t.container, bytes: before, approval: d.requestId },
        `the Docker log of ${t.container} emptied: ${formatBytes(before)} freed`,
      );
      this.o.alerts.resolve(
        "docker-log-size",
        { container: t.container },
        `the Docker log of ${t.container} was emptied (approval ${d.requestId})`,
        approvalChain.effect(d.requestId, d.requestId),
      );
    } catch (err) {
      this.o.book.saveTruncation({ ...t, state: "failed", at, note: (err as Error).message });
      this.o.log.error({ container: t.container, err }, `the Docker log of ${t.container} could not be emptied`);
    }
  }
}
