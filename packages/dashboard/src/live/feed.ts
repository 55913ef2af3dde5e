import { and, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import {
  formatBytes,
  maintenanceSummary,
  type Alert,
  type ApprovalDecisionType,
  type ApprovalRecord,
  type BackupEvent,
  type InferEvent,
  type imageUpdate,
  type incidentChanged,
  type MaintenanceResult,
  type MediaImportEvent,
  type StorageReservationEvent,
  type StorageSpaceEvent,
  type SubscriptionEvent,
} from "@lag/contracts";
import { feed } from "../store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

export const FEED_KINDS = ["alert", "incident", "approval", "backup", "subscription", "storage", "maintenance", "media"] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export interface FeedEntry {
  seq: number;
  at: string;
  kind: FeedKind;
  severity?: string;
  text: string;
  link?: string;
  subject: string;
}

/** How many entries are kept; older ones are forgotten. */
const KEEP = 20_000;
const incidentLink = (id: string) => `/incidents/${encodeURIComponent(id)}`;

/**
 * The events feed: one chronological list of what happened, written as the page receives it from
 * the bus, each a sentence with a link to where it can be seen; filtered by kind and text.
 */
export class EventsFeed {
  private added = 0;

  constructor(private readonly db: Db) {}

  private add(e: Omit<FeedEntry, "seq">): void {
    this.db
      .insert(feed)
      .values({ at: Date.parse(e.at), kind: e.kind, severity: e.severity ?? null, text: e.text, link: e.link ?? null, subject: e.subject })
      .run();
    if (++this.added % 1000 === 0) {
      const cut = this.db.select({ seq: feed.seq }).from(feed).orderBy(desc(feed.seq)).limit(1).offset(KEEP).get();
      if (cut) this.db.delete(feed).where(lt(feed.seq, cut.seq)).run();
    }
  }

  alert(a: Alert, subject: string): void {
    const text =
      a.status === "firing"
        ? `${a.host}: ${a.summary}${a.repeat > 0 ? ` (again, ${a.repeat})` : ""}`
        : `${a.host}: resolved — ${a.summary}`;
    this.add({
      at: a.status === "firing" ? new Date().toISOString() : (a.endsAt ?? new Date().toISOString()),
      kind: "alert",
      severity: a.severity,
      text,
      subject,
    });
  }

  incident(c: InferEvent<typeof incidentChanged>, subject: string): void {
    const i = c.incident;
    // Alert-level entries are already in the feed as alerts.
    if (c.entry.kind === "alert-firing" || c.entry.kind === "alert-resolved") return;
    this.add({
      at: c.entry.at,
      kind: "incident",
      severity: i.severity,
      text: `${i.title}: ${c.entry.kind}${c.entry.note ? ` — ${c.entry.note}` : ""} (${c.entry.actor.kind}:${c.entry.actor.name})`,
      link: incidentLink(i.id),
      subject,
    });
  }

  asked(r: ApprovalRecord, subject: string): void {
    const q = r.request;
    this.add({
      at: r.receivedAt,
      kind: "approval",
      text: `${q.requester} asks: ${q.evidence.summary}${q.cost ? ` (${q.cost.amount} ${q.cost.currency})` : ""}; waits for a person`,
      link: "/approvals",
      subject,
    });
  }

  decided(d: ApprovalDecisionType, subject: string): void {
    this.add({
      at: d.decidedAt,
      kind: "approval",
      text: `${d.actionKind} for ${d.requester} ${d.decision} by ${d.by.kind}:${d.by.name} via ${d.channel}${d.note ? ` — ${d.note}` : ""}`,
      link: "/approvals",
      subject,
    });
  }

  backup(e: BackupEvent, subject: string): void {
    if (e.kind === "finished")
      this.add({
        at: e.at,
        kind: "backup",
        severity: e.status === "ok" ? undefined : "high",
        text: `backup ${e.plan} ${e.status} in ${Math.round(e.durationMs / 1000)} s${e.error ? `: ${e.error}` : ""}`,
        subject,
      });
    else if (e.kind === "drill")
      this.add({
        at: e.at,
        kind: "backup",
        severity: e.passed ? undefined : "high",
        text: `restore drill of ${e.plan} from ${e.repository} ${e.passed ? "passed" : "FAILED"} (${e.filesCompared} files compared)`,
        subject,
      });
    else if (e.kind === "restored")
      this.add({ at: e.at, kind: "backup", text: `${e.plan} restored from ${e.repository} into ${e.target}`, subject });
  }

  subscription(e: SubscriptionEvent, subject: string): void {
    this.add({ at: e.at, kind: "subscription", text: `${e.subscription.kind} ${e.subscription.name}: ${e.change} — ${e.note}`, subject });
  }

  reservation(e: StorageReservationEvent, subject: string): void {
    const r = e.reservation;
    const text = r
      ? `${formatBytes(r.bytes)} on ${r.host}:${r.mount} ${e.change} for ${r.requester} (${r.purpose}) — ${e.note}`
      : `${e.request ? `${formatBytes(e.request.bytes)} for ${e.request.requester} (${e.request.purpose}) ` : ""}refused — ${e.note}`;
    this.add({ at: e.at, kind: "storage", text, subject });
  }

  space(e: StorageSpaceEvent, subject: string): void {
    const held = e.reservations.length > 0 ? `, ${e.reservations.length} reservations open` : "";
    this.add({
      at: e.at,
      kind: "storage",
      ...(e.level === "critical" ? { severity: "high" } : e.level === "low" ? { severity: "medium" } : {}),
      text: `${e.host}:${e.mount} ${e.level === "ok" ? "has space again" : `is ${e.level} on space`} (${e.usedPct.toFixed(1)} % used, ${formatBytes(e.freeBytes)} free${held})`,
      subject,
    });
  }

  maintenance(r: MaintenanceResult, subject: string): void {
    this.add({
      at: r.at,
      kind: "maintenance",
      ...(r.error ? { severity: "medium" } : {}),
      text: `${r.host} ${r.task}: ${maintenanceSummary(r)}`,
      subject,
    });
  }

  imageUpdate(u: InferEvent<typeof imageUpdate>, subject: string): void {
    this.add({
      at: u.at,
      kind: "maintenance",
      text: `${u.host}: ${u.container} (${u.image}) ${u.state === "update" ? "has a newer image for its tag" : `has newer tags: ${(u.newerTags ?? []).slice(0, 3).join(", ")}`}${u.reminder ? `, pending since ${u.pendingSince?.slice(0, 10)}` : ""}`,
      subject,
    });
  }

  mediaImport(e: MediaImportEvent, subject: string): void {
    const bad = e.change === "refused" || e.change === "backup-failed" || e.change === "paused";
    this.add({
      at: e.at,
      kind: "media",
      ...(bad ? { severity: "medium" } : {}),
      text: `import ${e.import.name} ${e.change} — ${e.note}`,
      subject,
    });
  }

  /** The newest entries first, at most `limit`, before `before` (a seq) when paging. */
  list(o: { kind?: FeedKind; q?: string; before?: number; limit: number }): FeedEntry[] {
    const where: SQL[] = [];
    if (o.kind) where.push(eq(feed.kind, o.kind));
    // A plain substring, any case: no pattern characters to escape.
    if (o.q) where.push(sql`instr(lower(${feed.text}), lower(${o.q})) > 0`);
    if (o.before) where.push(lt(feed.seq, o.before));
    return this.db
      .select()
      .from(feed)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(desc(feed.seq))
      .limit(o.limit)
      .all()
      .map((r) => ({
        seq: r.seq,
        at: new Date(r.at).toISOString(),
        kind: r.kind as FeedKind,
        text: r.text,
        subject: r.subject,
        ...(r.severity ? { severity: r.severity } : {}),
        ...(r.link ? { link: r.link } : {}),
      }));
  }
}
