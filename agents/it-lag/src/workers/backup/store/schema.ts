import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every run of a plan: when, why, how it ended. */
export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    plan: text("plan").notNull(),
    trigger: text("trigger").notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    /** running → ok | partial | failed | interrupted */
    status: text("status").notNull(),
    error: text("error"),
    /** The restic process of the run, while it runs: what a crash left running is stopped at the next start. */
    pid: integer("pid"),
  },
  (t) => [index("runs_plan").on(t.plan, t.startedAt)],
);

/** What a run did in each repository: its snapshot and figures, or its error. */
export const runRepositories = sqliteTable(
  "run_repositories",
  {
    runId: text("run_id").notNull(),
    repository: text("repository").notNull(),
    /** files | dump */
    part: text("part").notNull(),
    /** ok | partial | failed */
    status: text("status").notNull(),
    snapshotId: text("snapshot_id"),
    filesNew: integer("files_new"),
    filesChanged: integer("files_changed"),
    filesProcessed: integer("files_processed"),
    bytesAdded: integer("bytes_added"),
    bytesProcessed: integer("bytes_processed"),
    durationMs: integer("duration_ms"),
    error: text("error"),
    finishedAt: integer("finished_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.repository, t.part] }), index("run_repositories_repo").on(t.repository, t.finishedAt)],
);

/**
 * Containers a hook stopped and has not started again. Written before stopping, removed after
 * starting: what a crash leaves here is started at the next start.
 */
export const stoppedContainers = sqliteTable("stopped_containers", {
  container: text("container").primaryKey(),
  plan: text("plan").notNull(),
  runId: text("run_id").notNull(),
  stoppedAt: integer("stopped_at").notNull(),
});

/** The backup alerts firing now, so a restart neither repeats nor forgets them. */
export const firingAlerts = sqliteTable("firing_alerts", {
  fingerprint: text("fingerprint").primaryKey(),
  alert: text("alert", { mode: "json" }).notNull(),
});

/** Where the rotating check of each repository stands, and the last check of each kind. */
export const verification = sqliteTable("verification", {
  repository: text("repository").primaryKey(),
  /** The slice the next data check reads, 1 … slices. */
  nextSlice: integer("next_slice").notNull(),
  /** Slices read without error since the cycle began. */
  done: integer("done").notNull(),
  slices: integer("slices").notNull(),
  lastDataAt: integer("last_data_at"),
  lastDataOk: integer("last_data_ok", { mode: "boolean" }),
  lastMetadataAt: integer("last_metadata_at"),
  lastMetadataOk: integer("last_metadata_ok", { mode: "boolean" }),
});

/** Every restore drill and its figures. */
export const drills = sqliteTable(
  "drills",
  {
    runId: text("run_id").primaryKey(),
    plan: text("plan").notNull(),
    repository: text("repository").notNull(),
    snapshotId: text("snapshot_id"),
    at: integer("at").notNull(),
    passed: integer("passed", { mode: "boolean" }).notNull(),
    filesCompared: integer("files_compared").notNull(),
    bytes: integer("bytes").notNull(),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
  },
  (t) => [index("drills_plan").on(t.plan, t.at)],
);

/** A restore over a live path waiting for CEO_LAG's decision (and run once when approved). */
export const pendingRestores = sqliteTable("pending_restores", {
  requestId: text("request_id").primaryKey(),
  runId: text("run_id").notNull(),
  request: text("request", { mode: "json" }).notNull(),
  /** waiting → running → done | refused */
  state: text("state").notNull(),
  at: integer("at").notNull(),
});

/** Small facts that outlive a restart: `alive` (the worker's last heartbeat), `seen:<plan>` (when a plan first appeared). */
export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: integer("value").notNull(),
});
