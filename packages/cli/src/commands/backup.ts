import type { Bus } from "@lag/bus";
import { backupEvent, backupProgress, backupService, formatBytes, type BackupEvent, type PlanStatus } from "@lag/contracts";
import { booleanOption, listOption, onePositional, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { progressBar } from "../progress-bar.ts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";
import { ago, when } from "../times.ts";

const EXIT_INTERRUPTED = 130;

function rpo(s: Style, p: PlanStatus): string {
  if (p.rpo === "green") return s.green(p.rpo);
  if (p.rpo === "amber") return s.yellow(p.rpo);
  return s.red(p.rpo);
}

/**
 * Follows an operation the worker runs (it goes on whatever the CLI does): a progress bar from the
 * core progress events, one line per result event, until `done` says the events so far are all.
 * Subscribed before the request is sent, so nothing is missed; Ctrl-C leaves and says so.
 */
async function follow(
  bus: Bus,
  out: Output,
  plan: string,
  start: () => Promise<{ runId: string; started: boolean; note: string; repositories: string[] }>,
  o: { json: boolean; line: (e: BackupEvent) => string | undefined; done: (events: BackupEvent[], repositories: string[]) => boolean },
): Promise<{ events: BackupEvent[]; interrupted: boolean; runId: string; started: boolean; note: string }> {
  const seen: BackupEvent[] = [];
  let runId: string | undefined;
  let repositories: string[] = [];
  let finish!: (interrupted: boolean) => void;
  const finished = new Promise<boolean>((r) => (finish = r));
  const check = () =>
    runId !== undefined &&
    o.done(
      seen.filter((e) => e.runId === runId),
      repositories,
    ) &&
    finish(false);
  const show = (e: BackupEvent) => {
    if (o.json) return out.json(e);
    const l = o.line(e);
    if (l) out.error(l);
  };
  const progress = bus.subscribe(
    backupProgress,
    (d) => {
      if (d.data.runId === runId && !o.json) out.status(progressBar(`${d.data.operation} ${d.data.repository}`, d.data));
    },
    { tokens: { plan } },
  );
  const events = bus.subscribe(
    backupEvent,
    (d) => {
      seen.push(d.data);
      if (runId !== undefined && d.data.runId === runId) show(d.data);
      check();
    },
    { tokens: { plan } },
  );
  const stop = () => finish(true);
  process.once("SIGINT", stop);
  try {
    await bus.nc.flush();
    const r = await start();
    if (!r.started) return { events: [], interrupted: false, ...r };
    runId = r.runId;
    repositories = r.repositories;
    out.note(`${r.note} (${r.runId}; Ctrl-C leaves it running)`);
    for (const e of seen.filter((x) => x.runId === runId)) show(e);
    check();
    const interrupted = await finished;
    out.clearStatus();
    if (interrupted) out.note(`left ${runId} running in it-backup; follow it with \`lag tail 'lag.it.backup.>'\``);
    return { events: seen.filter((e) => e.runId === runId), interrupted, runId, started: true, note: r.note };
  } finally {
    process.off("SIGINT", stop);
    progress.unsubscribe();
    events.unsubscribe();
  }
}

const JSON_OPTION = { json: { type: "boolean" as const, description: "JSON (one event per line while it runs)" } };

export const backupList: Command = {
  name: "backup list",
  summary: "every backup plan: last good copy per repository, RPO colour, next run, rotation, last drill",
  usage: "",
  details: [
    "Asks it-backup. RPO: green on schedule, amber the last scheduled run did not succeed, red no success within",
    "the plan's window (or never). Exit 1 when a plan is red.",
  ],
  options: { json: { type: "boolean", description: "a JSON array of PlanStatus" } },
  connects: true,
  examples: ["lag backup list", "lag backup list --json | jq '.[] | select(.rpo != \"green\")'"],
  async run({ args, out, bus: connect }) {
    const { plans } = await (await connect()).request(backupService.endpoints.list, {});
    if (booleanOption(args, "json")) out.prettyJson(plans);
    else if (plans.length === 0) out.note("no backup plans (it.backup.plans)");
    else {
      const s = out.style;
      const rows = plans.map((p) => [
        p.plan,
        rpo(s, p),
        p.lastSuccess ? `${ago(p.lastSuccess)} ago` : "never",
        p.running ? s.yellow("running") : p.nextRun ? when(p.nextRun) : "-",
        p.repositories
          .map((r) => `${r.name}:${r.lastError ? s.red("failed") : r.lastSuccess ? `${ago(r.lastSuccess)}` : "never"}`)
          .join(" "),
        `${p.verification.done}/${p.verification.of}${p.verification.lastData && !p.verification.lastData.ok ? ` ${s.red("damaged")}` : ""}`,
        p.lastDrill ? (p.lastDrill.passed ? s.green(`passed ${ago(p.lastDrill.at)} ago`) : s.red("failed")) : "-",
        p.successRate30d === null ? "-" : `${Math.round(p.successRate30d * 100)}%`,
      ]);
      for (const l of table(["PLAN", "RPO", "LAST GOOD", "NEXT", "REPOSITORIES", "CHECKED", "DRILL", "30 DAYS"], rows, s.bold))
        out.fitted(l);
    }
    return plans.some((p) => p.rpo === "red") ? 1 : 0;
  },
};

export const backupSnapshots: Command = {
  name: "backup snapshots",
  summary: "a plan's snapshots in each of its repositories, oldest first",
  usage: "<plan>",
  options: {
    repository: { type: "string", value: "NAME", description: "only this repository" },
    json: { type: "boolean", description: "JSON" },
  },
  connects: true,
  examples: ["lag backup snapshots immich", "lag backup snapshots immich --repository nas --json"],
  async run({ args, out, bus: connect }) {
    const plan = onePositional("backup snapshots", args, "plan");
    const repository = stringOption(args, "repository");
    const r = await (await connect()).request(backupService.endpoints.snapshots, { plan, ...(repository ? { repository } : {}) });
    if (booleanOption(args, "json")) {
      out.prettyJson(r.repositories);
      return r.repositories.some((x) => x.error) ? 1 : 0;
    }
    for (const repo of r.repositories) {
      out.line(out.style.bold(`${repo.name}: ${repo.error ? out.style.red(repo.error) : `${repo.snapshots.length} snapshots`}`));
      const rows = repo.snapshots.map((s) => [s.shortId, when(s.time), s.host, s.paths.join(" "), s.tags.join(",")]);
      if (rows.length > 0) for (const l of table(["ID", "TIME", "HOST", "PATHS", "TAGS"], rows, out.style.bold)) out.fitted(l);
    }
    return r.repositories.some((x) => x.error) ? 1 : 0;
  },
};

function eventLine(s: Style, e: BackupEvent): string | undefined {
  switch (e.kind) {
    case "completed":
      return `${s.green("✓")} ${e.repository} ${e.part}: snapshot ${e.snapshotId.slice(0, 8)}, ${e.filesNew} new, ${e.filesChanged} changed of ${e.filesProcessed} files, ${formatBytes(e.bytesAdded)} added, ${(e.durationMs / 1000).toFixed(1)} s${e.unreadable.length ? s.yellow(` (${e.unreadable.length} unreadable: ${e.unreadable.slice(0, 3).join(", ")})`) : ""}`;
    case "failed":
      return `${s.red("✗")} ${e.repository ?? e.plan} ${e.step}: ${e.error}`;
    case "pruned":
      return `  ${e.repository}: retention kept ${e.kept}, removed ${e.removed}`;
    case "verified":
      return `${e.ok ? s.green("✓") : s.red("✗")} ${e.repository} ${e.check} check${e.subset ? ` ${e.subset}` : ""}: ${e.ok ? "ok" : (e.error ?? `${e.errors} errors`)}${e.cycle ? ` (cycle ${e.cycle.done}/${e.cycle.of})` : ""}`;
    case "restored":
      return `${s.green("✓")} restored ${e.files} files, ${formatBytes(e.bytes)} from ${e.repository} into ${e.target} in ${(e.durationMs / 1000).toFixed(1)} s`;
    case "drill":
      return `${e.passed ? s.green("✓ passed") : s.red("✗ failed")} ${e.repository}: ${e.filesCompared}/${e.filesInSnapshot} files verified (${e.filesDumped} also hashed whole), ${formatBytes(e.bytes)}, ${(e.durationMs / 1000).toFixed(1)} s${e.mismatches.length ? `; differ: ${e.mismatches.slice(0, 5).join(", ")}` : ""}${e.query ? `; query ${e.query.ok ? "ok" : "failed"}` : ""}${e.error ? `; ${e.error}` : ""}`;
    case "finished":
      return `${e.status === "ok" ? s.green(e.status) : e.status === "partial" ? s.yellow(e.status) : s.red(e.status)} in ${(e.durationMs / 1000).toFixed(1)} s${e.error ? `: ${e.error}` : ""}`;
    default:
      return undefined;
  }
}

/** The result events of one repository's part of an operation. */
const perRepository = (kinds: BackupEvent["kind"][]) => (events: BackupEvent[], repositories: string[]) =>
  repositories.every((r) => events.some((e) => "repository" in e && e.repository === r && kinds.includes(e.kind)));

export const backupRun: Command = {
  name: "backup run",
  summary: "run a plan now and follow it with a progress bar (Ctrl-C leaves it running)",
  usage: "<plan>",
  details: ["Exit 0 when every repository got its snapshot, 1 otherwise, 130 when left with Ctrl-C."],
  options: JSON_OPTION,
  connects: true,
  examples: ["lag backup run immich"],
  async run({ args, out, bus: connect }) {
    const plan = onePositional("backup run", args, "plan");
    const bus = await connect();
    const r = await follow(bus, out, plan, () => bus.request(backupService.endpoints.run, { plan }), {
      json: booleanOption(args, "json"),
      line: (e) => eventLine(out.style, e),
      done: (events) => events.some((e) => e.kind === "finished"),
    });
    if (!r.started) {
      out.error(`lag backup run: ${r.note}`);
      return 1;
    }
    if (r.interrupted) return EXIT_INTERRUPTED;
    const end = r.events.find((e) => e.kind === "finished");
    return end?.kind === "finished" && end.status === "ok" ? 0 : 1;
  },
};

export const backupCheck: Command = {
  name: "backup check",
  summary: "check a plan's repositories now: the next slice of the rotating data check, or --metadata",
  usage: "<plan>",
  options: { metadata: { type: "boolean", description: "the structure only (what the weekly check does)" }, ...JSON_OPTION },
  connects: true,
  examples: ["lag backup check immich", "lag backup check immich --metadata"],
  async run({ args, out, bus: connect }) {
    const plan = onePositional("backup check", args, "plan");
    const bus = await connect();
    const r = await follow(
      bus,
      out,
      plan,
      () => bus.request(backupService.endpoints.check, { plan, metadata: booleanOption(args, "metadata") }),
      {
        json: booleanOption(args, "json"),
        line: (e) => eventLine(out.style, e),
        done: perRepository(["verified"]),
      },
    );
    if (!r.started) {
      out.error(`lag backup check: ${r.note}`);
      return 1;
    }
    if (r.interrupted) return EXIT_INTERRUPTED;
    return r.events.every((e) => e.kind !== "verified" || e.ok) ? 0 : 1;
  },
};

export const backupInit: Command = {
  name: "backup init",
  summary: "create the plan's repositories that do not exist yet",
  usage: "<plan>",
  options: { json: { type: "boolean", description: "JSON" } },
  connects: true,
  examples: ["lag backup init immich"],
  async run({ args, out, bus: connect }) {
    const plan = onePositional("backup init", args, "plan");
    const r = await (await connect()).request(backupService.endpoints.init, { plan });
    if (booleanOption(args, "json")) out.prettyJson(r.repositories);
    else
      for (const x of r.repositories)
        out.line(`${x.name}: ${x.error ? out.style.red(x.error) : x.created ? out.style.green("created") : "exists already"}`);
    return r.repositories.some((x) => x.error) ? 1 : 0;
  },
};

export const backupRestore: Command = {
  name: "backup restore",
  summary: "restore a snapshot (the latest by default) into a folder, with a progress bar",
  usage: "<plan> --target DIR",
  details: [
    "Restores into a new or empty folder at once. A target the plan backs up (the live data) is an action of",
    "kind restore-backup: CEO_LAG's policy decides or a person does (`lag approvals approve ID`); the restore",
    "runs once approved. Exit 0 restored, 1 failed, 3 waiting for an approval.",
  ],
  options: {
    target: { type: "string", value: "DIR", description: "where to restore (an absolute path)" },
    snapshot: { type: "string", value: "ID", description: "a snapshot id or short id (default: the latest)" },
    path: { type: "string", multiple: true, value: "PATH", description: "only this path of the snapshot; repeat for several" },
    repository: { type: "string", value: "NAME", description: "from this repository (default: the plan's first)" },
    ...JSON_OPTION,
  },
  connects: true,
  examples: [
    "lag backup restore immich --target /tmp/immich-restore",
    "lag backup restore kronos-config --snapshot 4b2f1c3a --path /etc/kronos --target /etc/kronos",
  ],
  async run({ args, out, bus: connect }) {
    const plan = onePositional("backup restore", args, "plan");
    const target = stringOption(args, "target");
    if (!target?.startsWith("/")) throw new UsageError("backup restore: --target DIR is needed, an absolute path");
    const snapshot = stringOption(args, "snapshot");
    const repository = stringOption(args, "repository");
    const paths = listOption(args, "path") ?? [];
    const bus = await connect();
    let approval: string | undefined;
    const r = await follow(
      bus,
      out,
      plan,
      async () => {
        const reply = await bus.request(backupService.endpoints.restore, {
          plan,
          target,
          paths,
          ...(snapshot ? { snapshot } : {}),
          ...(repository ? { repository } : {}),
        });
        approval = reply.approval;
        return reply;
      },
      { json: booleanOption(args, "json"), line: (e) => eventLine(out.style, e), done: perRepository(["restored", "failed"]) },
    );
    if (approval) {
      out.error(`lag backup restore: ${r.note}`);
      return 3;
    }
    if (r.interrupted) return EXIT_INTERRUPTED;
    return r.events.some((e) => e.kind === "restored") ? 0 : 1;
  },
};

export const backupDrill: Command = {
  name: "backup drill",
  summary: "run a plan's restore drill now: restore to a temporary folder and compare every file's SHA-256",
  usage: "<plan>",
  options: JSON_OPTION,
  connects: true,
  examples: ["lag backup drill immich"],
  async run({ args, out, bus: connect }) {
    const plan = onePositional("backup drill", args, "plan");
    const bus = await connect();
    const r = await follow(bus, out, plan, () => bus.request(backupService.endpoints.drill, { plan }), {
      json: booleanOption(args, "json"),
      line: (e) => eventLine(out.style, e),
      done: perRepository(["drill"]),
    });
    if (!r.started) {
      out.error(`lag backup drill: ${r.note}`);
      return 1;
    }
    if (r.interrupted) return EXIT_INTERRUPTED;
    return r.events.every((e) => e.kind !== "drill" || e.passed) ? 0 : 1;
  },
};
