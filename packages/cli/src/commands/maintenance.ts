import { formatBytes, maintenanceService, maintenanceSummary, MaintenanceTask, type MaintenanceResult } from "@lag/contracts";
import { booleanOption, onePositional } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { table } from "../table.ts";
import { ago } from "../times.ts";

const JSON_OPTION = { json: { type: "boolean", description: "the reply as JSON" } } as const;

/** What a result holds beyond its summary line, a line each. */
function details(r: MaintenanceResult): string[] {
  switch (r.task) {
    case "image-updates":
      return r.containers.map(
        (c) =>
          `${c.container.padEnd(24)} ${c.state.padEnd(8)} ${c.image}${c.pendingSince ? ` since ${c.pendingSince.slice(0, 10)}` : ""}${c.newerTags?.length ? `, newer tags: ${c.newerTags.slice(0, 3).join(", ")}` : ""}${c.note ? ` (${c.note})` : ""}`,
      );
    case "docker-logs":
      return r.containers
        .slice(0, 10)
        .map((c) => `${c.container.padEnd(24)} ${formatBytes(c.bytes)}${r.over.includes(c.container) ? "  too big" : ""}`);
    case "log-cleanup":
      return r.paths.map(
        (p) =>
          `${p.path}: ${p.removed} removed (${formatBytes(p.bytesFreed)}), ${p.kept} kept (${formatBytes(p.keptBytes)})${p.errors.length ? `; ${p.errors[0]}` : ""}`,
      );
    case "sqlite":
      return r.databases.map(
        (d) =>
          `${d.file.split("/").at(-1)!.padEnd(28)} ${formatBytes(d.bytesBefore + d.walBytesBefore)} → ${formatBytes(d.bytesAfter + d.walBytesAfter)}, free pages ${d.freePagesBefore} → ${d.freePagesAfter}${d.vacuumed ? ", vacuumed" : ""}${d.error ? `; ${d.error}` : ""}`,
      );
    case "os-updates":
      return [
        ...r.packages.slice(0, 10).map((p) => `${p.name.padEnd(24)} ${p.from ?? "(new)"} → ${p.to}${p.security ? "  security" : ""}`),
        ...(r.rebootRequired ? [`reboot required${r.rebootPackages.length ? ` by ${r.rebootPackages.join(", ")}` : ""}`] : []),
      ];
    case "failed-logins":
      return r.top.map((s) => `${s.address.padEnd(24)} ${String(s.count).padStart(6)}  ${s.users.slice(0, 5).join(", ")}`);
  }
}

function show(out: Output, r: MaintenanceResult): void {
  out.line(
    `${out.style.bold(r.task)} at ${r.at} (${r.durationMs} ms): ${r.error ? out.style.red(maintenanceSummary(r)) : maintenanceSummary(r)}`,
  );
  for (const l of details(r)) out.fitted(`  ${l}`);
}

export const maintenance: Command = {
  name: "maintenance",
  summary: "IT_LAG's maintenance tasks: their schedules and last results (image updates, logs, SQLite, OS updates, failed logins)",
  usage: "",
  details: ["Asks it-maintenance. `lag maintenance run TASK` runs one now; `lag maintenance show TASK` prints its last result in full."],
  options: { ...JSON_OPTION },
  connects: true,
  examples: ["lag maintenance", "lag maintenance --json"],
  async run({ args, out, bus: connect }) {
    const r = await (await connect()).request(maintenanceService.endpoints.status, {});
    if (booleanOption(args, "json")) {
      out.prettyJson(r);
      return 0;
    }
    const s = out.style;
    const rows = r.tasks.map((t) => [
      t.task,
      t.enabled ? t.schedule : s.dim("off"),
      t.lastRun ? `${ago(t.lastRun.at)} ago` : s.dim("not yet"),
      t.lastRun ? (t.lastRun.error ? s.red(maintenanceSummary(t.lastRun)) : maintenanceSummary(t.lastRun)) : "",
    ]);
    for (const l of table(["TASK", "SCHEDULE", "LAST RUN", "RESULT"], rows, s.bold)) out.fitted(l);
    return r.tasks.some((t) => t.lastRun?.error) ? 1 : 0;
  },
};

function taskOf(command: string, args: Parameters<Command["run"]>[0]["args"]): MaintenanceTask {
  const t = onePositional(command, args, "a task");
  const parsed = MaintenanceTask.safeParse(t);
  if (!parsed.success)
    throw new UsageError(`${command}: TASK must be one of ${MaintenanceTask.options.join(", ")}, not ${JSON.stringify(t)}`);
  return parsed.data;
}

export const maintenanceRun: Command = {
  name: "maintenance run",
  summary: "run one maintenance task now and print its result",
  usage: "TASK",
  details: [`TASK: ${MaintenanceTask.options.join(", ")}.`],
  options: { ...JSON_OPTION },
  connects: true,
  examples: ["lag maintenance run image-updates", "lag maintenance run sqlite --json"],
  async run({ args, out, bus: connect }) {
    const task = taskOf("maintenance run", args);
    const r = await (await connect()).request(maintenanceService.endpoints.run, { task });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else show(out, r);
    return r.error ? 1 : 0;
  },
};

export const maintenanceShow: Command = {
  name: "maintenance show",
  summary: "a maintenance task's last result in full",
  usage: "TASK",
  options: { ...JSON_OPTION },
  connects: true,
  examples: ["lag maintenance show failed-logins"],
  async run({ args, out, bus: connect }) {
    const task = taskOf("maintenance show", args);
    const r = await (await connect()).request(maintenanceService.endpoints.status, {});
    const last = r.tasks.find((t) => t.task === task)?.lastRun;
    if (booleanOption(args, "json")) out.prettyJson(last ?? null);
    else if (!last) out.note(`${task} has not run yet: lag maintenance run ${task}`);
    else show(out, last);
    return 0;
  },
};

export const maintenanceTruncate: Command = {
  name: "maintenance truncate",
  summary: "empty a container's Docker json log, once CEO_LAG approves (what it holds is lost)",
  usage: "CONTAINER",
  options: { ...JSON_OPTION },
  connects: true,
  examples: ["lag maintenance truncate immich-server", "lag approvals"],
  async run({ args, out, bus: connect }) {
    const container = onePositional("maintenance truncate", args, "a container");
    const r = await (await connect()).request(maintenanceService.endpoints.truncate, { container });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else out.line(`${container}'s log (${formatBytes(r.bytes)}): ${r.note}; lag approvals show ${r.requestId}`);
    return 0;
  },
};
