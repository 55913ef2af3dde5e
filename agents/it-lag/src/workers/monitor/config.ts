import { hostname } from "node:os";
import { z } from "zod";
import { duration } from "@lag/config";
import { HostName, toToken } from "@lag/contracts";
import { ChecksConfig } from "./checks/check-config.ts";
import { TargetsConfig } from "./collect/ssh/target-config.ts";
import { DockerConnection } from "../../docker/connection.ts";
import { defaultRules } from "./rules/defaults.ts";
import { RulesConfig } from "./rules/rule-config.ts";

const defaultHost = toToken(hostname().split(".")[0]!.toLowerCase()).replace(/[^a-z0-9_-]/g, "-");

export const DockerSection = DockerConnection.extend({
  /** Off on hosts without Docker, so its absence is not reported as an outage. */
  enabled: z.boolean().default(true),
  // No default here: an unset socketPath lets DOCKER_HOST decide (the collector applies the default).
  socketPath: z.string().startsWith("/").optional(),
});

export const HistorySection = z.strictObject({
  rawRetention: duration.default(48 * 3_600_000),
  minuteRetention: duration.default(30 * 86_400_000),
  hourRetention: duration.default(365 * 86_400_000),
  /** How often data past its retention is deleted. */
  compactInterval: duration.default(600_000),
  /** How often a history file that could not be opened (a full or read-only disk) is tried again. */
  reopenInterval: duration.default(60_000),
});

export const MonitorConfig = z
  .strictObject({
    /** This host's name on the bus (a subject token): one monitor per host. */
    host: HostName.default(defaultHost),
    /** How often host metrics and containers are sampled, rules evaluated and history written. */
    interval: duration.default(10_000),
    /** How often a status report goes to CEO_LAG (durable). */
    reportInterval: duration.default(300_000),
    /** Mounts named by role, e.g. { backup: /mnt/backup, storage: /mnt/storage }. */
    mounts: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, "a role is a lower-case word"), z.string().startsWith("/")).default({}),
    docker: DockerSection.prefault({}),
    /** Service checks (HTTP, TCP, DNS, TLS, ping); see docs/monitor.md. */
    checks: ChecksConfig.default([]),
    /** Hosts without an agent (a NAS), read over SSH by this monitor; see docs/monitor.md. */
    targets: TargetsConfig.default([]),
    /** Alert rules; without this key the defaults apply (config/lag.sample.yaml lists them). */
    rules: RulesConfig.default(defaultRules),
    history: HistorySection.prefault({}),
  })
  .superRefine((c, ctx) => {
    c.targets.forEach((t, i) => {
      if (t.host === c.host)
        ctx.addIssue({ code: "custom", path: ["targets", i, "host"], message: `${t.host} is this monitor's own host` });
    });
  });
export type MonitorConfig = z.infer<typeof MonitorConfig>;
