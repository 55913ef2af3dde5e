import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Bus } from "@lag/bus";
import { backupAlert, backupEvent, type Alert, type BackupEvent } from "@lag/contracts";
import { eventually, type TestNats } from "@lag/testing";

/** Every regular file under `dir` with its SHA-256, by path relative to `dir`. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

/** What a test sees of the backup worker on the bus: its events and its alerts, in order. */
export interface BackupWatch {
  bus: Bus;
  events: BackupEvent[];
  alerts: Alert[];
  /** Waits for an event of the run (or of any run of the plan) matching `pred`. */
  event<K extends BackupEvent["kind"]>(
    kind: K,
    pred: (e: Extract<BackupEvent, { kind: K }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<BackupEvent, { kind: K }>>;
  alert(pred: (a: Alert) => boolean, timeoutMs?: number): Promise<Alert>;
}

export async function watchBackups(nats: TestNats): Promise<BackupWatch> {
  const bus = await nats.bus("cli");
  const events: BackupEvent[] = [];
  const alerts: Alert[] = [];
  bus.subscribe(backupEvent, (d) => void events.push(d.data));
  bus.subscribe(backupAlert, (d) => void alerts.push(d.data));
  await bus.nc.flush();
  return {
    bus,
    events,
    alerts,
    async event(kind, pred, timeoutMs = 60_000) {
      const match = () => events.find((e) => e.kind === kind && pred(e as never)) as never;
      await eventually(() => match() !== undefined, timeoutMs, `a ${kind} event; got ${JSON.stringify(events.slice(-8), null, 1)}`);
      return match();
    },
    async alert(pred, timeoutMs = 60_000) {
      await eventually(() => alerts.some(pred), timeoutMs, `an alert; got ${JSON.stringify(alerts.slice(-5), null, 1)}`);
      return alerts.find(pred)!;
    },
  };
}
