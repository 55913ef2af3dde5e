import { eq } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Alert, MaintenanceResult, MaintenanceTask } from "@lag/contracts";
import type { FiringStore } from "../../raised-alerts.ts";
import { firing, pendingImages, results, truncations } from "./store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;
export type Truncation = typeof truncations.$inferSelect;
export type PendingImage = typeof pendingImages.$inferSelect;

/** The maintenance worker's SQLite file: last results, pending image updates, truncations asked for, alerts firing. */
export class MaintenanceBook implements FiringStore {
  constructor(private readonly db: Db) {}

  lastResult(task: MaintenanceTask): MaintenanceResult | undefined {
    return this.db.select({ data: results.data }).from(results).where(eq(results.task, task)).get()?.data;
  }

  saveResult(r: MaintenanceResult): void {
    this.db
      .insert(results)
      .values({ task: r.task, data: r })
      .onConflictDoUpdate({ target: results.task, set: { data: r } })
      .run();
  }

  pending(container: string): PendingImage | undefined {
    return this.db.select().from(pendingImages).where(eq(pendingImages.container, container)).get();
  }

  allPending(): PendingImage[] {
    return this.db.select().from(pendingImages).all();
  }

  setPending(p: PendingImage): void {
    this.db.insert(pendingImages).values(p).onConflictDoUpdate({ target: pendingImages.container, set: p }).run();
  }

  clearPending(container: string): void {
    this.db.delete(pendingImages).where(eq(pendingImages.container, container)).run();
  }

  truncation(requestId: string): Truncation | undefined {
    return this.db.select().from(truncations).where(eq(truncations.requestId, requestId)).get();
  }

  saveTruncation(t: Truncation): void {
    this.db.insert(truncations).values(t).onConflictDoUpdate({ target: truncations.requestId, set: t }).run();
  }

  firing(): Alert[] {
    return this.db
      .select({ alert: firing.alert })
      .from(firing)
      .all()
      .map((r) => r.alert);
  }

  setFiring(a: Alert): void {
    this.db
      .insert(firing)
      .values({ fingerprint: a.fingerprint, alert: a })
      .onConflictDoUpdate({ target: firing.fingerprint, set: { alert: a } })
      .run();
  }

  clearFiring(fingerprint: string): void {
    this.db.delete(firing).where(eq(firing.fingerprint, fingerprint)).run();
  }
}
