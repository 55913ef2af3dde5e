import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Every incident, open or resolved: its summary and alerts as JSON, and what measures need as columns. */
export const incidents = sqliteTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    host: text("host").notNull(),
    severity: text("severity").notNull(),
    state: text("state").notNull(),
    openedAt: integer("opened_at").notNull(),
    ackedAt: integer("acked_at"),
    resolvedAt: integer("resolved_at"),
    /** The IncidentSummary, as the contract has it. */
    summary: text("summary", { mode: "json" }).notNull(),
    /** The alerts with the originals (for restoring the engine after a restart). */
    alerts: text("alerts", { mode: "json" }).notNull(),
    /** When every alert had resolved (while that lasts): the quiet resolveAfter counts from. */
    quietSince: integer("quiet_since"),
  },
  (t) => [index("incidents_state").on(t.state), index("incidents_opened").on(t.openedAt)],
);

/** Each incident's timeline, in order: who did what, when, and why. */
export const timeline = sqliteTable(
  "timeline",
  {
    incidentId: text("incident_id").notNull(),
    seq: integer("seq").notNull(),
    at: text("at").notNull(),
    kind: text("kind").notNull(),
    actorKind: text("actor_kind").notNull(),
    actor: text("actor").notNull(),
    note: text("note").notNull(),
    data: text("data", { mode: "json" }),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.seq] })],
);

export const silences = sqliteTable("silences", {
  id: text("id").primaryKey(),
  /** The Silence, as the contract has it. */
  silence: text("silence", { mode: "json" }).notNull(),
  endsAt: integer("ends_at").notNull(),
});

/**
 * Runbook actions and their approvals: an action runs only with an approval decision for exactly
 * it, and once. `running` found at start means the worker stopped in the middle: never run again.
 */
export const actions = sqliteTable(
  "actions",
  {
    requestId: text("request_id").primaryKey(),
    incidentId: text("incident_id").notNull(),
    kind: text("kind").notNull(),
    params: text("params", { mode: "json" }).notNull(),
    /** proposed → approved | denied | expired | cancelled → running → done | failed | interrupted */
    status: text("status").notNull(),
    decision: text("decision", { mode: "json" }),
    result: text("result"),
    verifyTimeoutMs: integer("verify_timeout_ms").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("actions_incident").on(t.incidentId)],
);

/** Every firing of an alert (not its reminders), for repeating patterns; a redelivered one is kept once. */
export const firings = sqliteTable(
  "firings",
  {
    fingerprint: text("fingerprint").notNull(),
    rule: text("rule").notNull(),
    host: text("host").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("firings_at").on(t.at), uniqueIndex("firings_once").on(t.fingerprint, t.at)],
);
