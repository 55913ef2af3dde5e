import { and, asc, desc, eq, lte } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import {
  subscriptionChanged,
  type Actor,
  type Alert,
  type InferParsedRequest,
  type Subscription,
  type SubscriptionChange,
  type SubscriptionInput,
  type subscriptionsService,
} from "@lag/contracts";
import type { Outbox } from "@lag/worker";
import { firing, history, subscriptions, warnings } from "./store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

/** The fields a change sets: a value, or null to clear an optional one. */
export type EditSet = InferParsedRequest<typeof subscriptionsService.endpoints.edit>["set"];

export type DateKind = "expiry" | "notice";

/** The dates a subscription is warned of: its expiry, and its notice date when it has one. */
export function datesOf(s: Subscription): { date: DateKind; at: string }[] {
  const out: { date: DateKind; at: string }[] = [];
  if (s.expiresAt) out.push({ date: "expiry", at: s.expiresAt });
  if (s.noticeAt) out.push({ date: "notice", at: s.noticeAt });
  return out;
}

const UNDER_WAY: ReadonlySet<NonNullable<Subscription["renewalState"]>["state"]> = new Set(["requested", "renewing", "task"]);

/** Whether a renewal of it is under way: asked, being renewed, or a task for the operator. */
export function underWay(s: Subscription): boolean {
  return s.renewalState !== undefined && UNDER_WAY.has(s.renewalState.state);
}

/** The notice date that goes with an expiry: given days before it, or kept as set. */
export function withNotice(s: Subscription): Subscription {
  if (s.noticeDays === undefined || !s.expiresAt) return s;
  return { ...s, noticeAt: new Date(Date.parse(s.expiresAt) - s.noticeDays * 86_400_000).toISOString() };
}

/** A subscription as first written: from the config file or `lag subs add`. */
export function newSubscription(
  input: SubscriptionInput,
  origin: "config" | "cli",
  defaultLeads: readonly number[],
  now: Date,
  by: string,
): Subscription {
  const iso = now.toISOString();
  const { leadDays, ...rest } = input;
  return {
    ...rest,
    leadDays: [...(leadDays ?? defaultLeads)].sort((a, b) => b - a),
    ...(input.expiresAt ? { expirySource: { kind: "manual" as const, at: iso, detail: `set by ${by}` } } : {}),
    check: { state: "none" },
    origin,
    createdAt: iso,
    updatedAt: iso,
  };
}

/** A field set to null is cleared; one left out is kept. */
export function applySet(s: Subscription, set: EditSet, by: string, now: Date, defaultLeads: readonly number[]): Subscription {
  const out: Record<string, unknown> = { ...s };
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = k === "leadDays" ? [...(v as number[])].sort((a, b) => b - a) : v;
  }
  if (set.leadDays === null) out.leadDays = [...defaultLeads];
  if (set.noticeAt !== undefined) delete out.noticeDays;
  if (set.expiresAt === null) delete out.expirySource;
  else if (set.expiresAt) out.expirySource = { kind: "manual", at: now.toISOString(), detail: `set by ${by}` };
  return out as Subscription;
}

/** The fields of a config item that differ from the one last applied (all of them for a new one), as a change. */
export function seedChanges(before: SubscriptionInput | undefined, now: SubscriptionInput): EditSet {
  const set: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(now)]);
  for (const k of keys) {
    if (k === "id" || k === "kind") continue;
    const a = (before as Record<string, unknown> | undefined)?.[k];
    const b = (now as Record<string, unknown>)[k];
    if (JSON.stringify(a) !== JSON.stringify(b)) set[k] = b ?? null;
  }
  return set as EditSet;
}

/**
 * The subscription register in SQLite and its audit trail: every change is written with who made
 * it and published as an event (`lag.it.subscription.<change>.<id>`) in one step, so the history
 * `lag subs show` prints and the stream never disagree.
 */
export class Register {
  constructor(private readonly o: { db: Db; outbox: Outbox; clock: Clock }) {}

  all(): Subscription[] {
    return this.o.db
      .select()
      .from(subscriptions)
      .all()
      .map((r) => r.data);
  }

  get(id: string): Subscription | undefined {
    return this.o.db.select().from(subscriptions).where(eq(subscriptions.id, id)).get()?.data;
  }

  /** Ids whose source is due to be read. */
  due(now: number): string[] {
    return this.o.db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(lte(subscriptions.nextCheck, now))
      .orderBy(asc(subscriptions.nextCheck))
      .all()
      .map((r) => r.id);
  }

  /** When the source is read next (ms); 0 for one never read. */
  nextCheck(id: string): number {
    return this.o.db.select({ n: subscriptions.nextCheck }).from(subscriptions).where(eq(subscriptions.id, id)).get()?.n ?? 0;
  }

  /** The config file's item as last applied to this subscription. */
  seed(id: string): SubscriptionInput | undefined {
    return this.o.db.select({ seed: subscriptions.seed }).from(subscriptions).where(eq(subscriptions.id, id)).get()?.seed ?? undefined;
  }

  setSeed(id: string, item: SubscriptionInput): void {
    this.o.db.update(subscriptions).set({ seed: item }).where(eq(subscriptions.id, id)).run();
  }

  failures(id: string): number {
    return this.o.db.select({ f: subscriptions.failures }).from(subscriptions).where(eq(subscriptions.id, id)).get()?.f ?? 0;
  }

  /** When the source is read next, and how many reads in a row have failed. */
  scheduleCheck(id: string, nextCheck: number, failures: number): void {
    this.o.db.update(subscriptions).set({ nextCheck, failures }).where(eq(subscriptions.id, id)).run();
  }

  /**
   * Writes the subscription as it now is and, for a change worth telling, its audit line and event.
   * `change` undefined: bookkeeping only (when it was checked), no event.
   */
  save(
    s: Subscription,
    change?: {
      change: SubscriptionChange;
      by: Actor;
      note: string;
      previousExpiresAt?: string;
      /** A renewal's chain: its approval request as correlation, the decision as cause (`lag trace`). */
      chain?: { correlationid?: string; causationid?: string };
    },
  ): Subscription {
    const at = this.o.clock.now();
    const row = withNotice({ ...s, updatedAt: change ? at.toISOString() : s.updatedAt });
    this.o.outbox.addTogether(() => {
      this.o.db.transaction((tx) => {
        tx.insert(subscriptions)
          .values({ id: row.id, data: row })
          .onConflictDoUpdate({ target: subscriptions.id, set: { data: row } })
          .run();
        if (change)
          tx.insert(history)
            .values({ subscription: row.id, change: change.change, by: change.by, note: change.note, at: at.getTime() })
            .run();
      });
      if (change)
        this.o.outbox.add(
          subscriptionChanged,
          {
            change: change.change,
            subscription: row,
            by: change.by,
            note: change.note,
            ...(change.previousExpiresAt ? { previousExpiresAt: change.previousExpiresAt } : {}),
            at: at.toISOString(),
          },
          change.chain ?? {},
        );
    });
    void this.o.outbox.flush();
    return row;
  }

  remove(s: Subscription, by: Actor, note: string): void {
    const at = this.o.clock.now();
    this.o.outbox.addTogether(() => {
      this.o.db.transaction((tx) => {
        tx.delete(subscriptions).where(eq(subscriptions.id, s.id)).run();
        tx.delete(warnings).where(eq(warnings.subscription, s.id)).run();
        tx.insert(history).values({ subscription: s.id, change: "removed", by, note, at: at.getTime() }).run();
      });
      this.o.outbox.add(subscriptionChanged, { change: "removed", subscription: s, by, note, at: at.toISOString() });
    });
    void this.o.outbox.flush();
  }

  history(id: string, limit = 100): { change: SubscriptionChange; by: Actor; note: string; at: string }[] {
    return this.o.db
      .select()
      .from(history)
      .where(eq(history.subscription, id))
      .orderBy(desc(history.seq))
      .limit(limit)
      .all()
      .map((r) => ({ change: r.change as SubscriptionChange, by: r.by, note: r.note, at: new Date(r.at).toISOString() }));
  }

  // ——— the alerts firing (RaisedAlerts keeps them here) ———

  firing(): Alert[] {
    return this.o.db
      .select()
      .from(firing)
      .all()
      .map((r) => r.alert);
  }

  setFiring(a: Alert): void {
    this.o.db
      .insert(firing)
      .values({ fingerprint: a.fingerprint, alert: a })
      .onConflictDoUpdate({ target: firing.fingerprint, set: { alert: a } })
      .run();
  }

  clearFiring(fingerprint: string): void {
    this.o.db.delete(firing).where(eq(firing.fingerprint, fingerprint)).run();
  }

  // ——— lead-time warnings given ———

  /** Writes a warning down; false when it was given already (a restart, a second tick). */
  markWarned(id: string, date: DateKind, value: string, leadDays: number, at: number): boolean {
    const r = this.o.db.insert(warnings).values({ subscription: id, date, value, leadDays, at }).onConflictDoNothing().run();
    return r.changes > 0;
  }

  /** The warnings given for the subscription's current dates. */
  warned(s: Subscription): { date: DateKind; leadDays: number; at: string }[] {
    return datesOf(s).flatMap(({ date, at }) =>
      this.o.db
        .select()
        .from(warnings)
        .where(and(eq(warnings.subscription, s.id), eq(warnings.date, date), eq(warnings.value, at)))
        .orderBy(desc(warnings.leadDays))
        .all()
        .map((w) => ({ date, leadDays: w.leadDays, at: new Date(w.at).toISOString() })),
    );
  }
}
