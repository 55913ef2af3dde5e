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
  },
  (t) => [index("runs_plan").on(t.plan, t.startedAt)],
);

/** What a run did in each repository: its snapshot and figures, or its error. */
export const runRepositories = sqliteTable(
  "run_repositories",
  {
    runId: text("run_id").notNull(),
    repository: text("repository").notNull(),
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
  (t) => [primaryKey({ columns: [t.runId, t.repository] })],
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
