import { join } from "node:path";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { Bus } from "@lag/bus";
import { Alert, alert } from "@lag/contracts";
import type { Logger } from "@lag/log";
import { Outbox, OutboxItem } from "@lag/worker";
import type { CompiledRule } from "../rules/compile.ts";
import { evaluate } from "../rules/engine.ts";
import { alertId } from "../../../alert-identity.ts";
import { emptyState, firingAlerts, restoreState, type RuleState } from "../rules/state.ts";
import type { Sample } from "../samples.ts";

/** The file: the rule state and the alerts not yet stored (a file of an older version held bare alerts). */
const Saved = z.object({ state: z.unknown(), outbox: z.array(z.union([OutboxItem, Alert])) });

/**
 * The rule engine's state and the outbox of its alerts, saved together in one file after every
 * change: state and unsent alerts can never disagree after a crash. An alert leaves the outbox only
 * once JetStream stored it (the generic Outbox every worker has), so a NATS outage or a crash
 * delays alerts but never loses them; their ids are deterministic, so a re-publish is stored once.
 * When the file cannot be written (a full or read-only disk) both live on in memory.
 */
/** A host's alert state, `<dataDir>/it-monitor-<host>.alerts.json`. */
export function alertStateFile(dataDir: string, host: string): string {
  return join(dataDir, `it-monitor-${host}.alerts.json`);
}

export class AlertBook {
  private state: RuleState = emptyState();
  private readonly outbox: Outbox;
  private saveFailure?: string;

  constructor(
    private readonly file: string,
    bus: Bus,
    private readonly log: Logger,
  ) {
    let items: OutboxItem[] = [];
    const saved = Saved.safeParse(readJson(file));
    if (saved.success) {
      const restored = restoreState(saved.data.state);
      if (restored.error) log.error({ file, error: restored.error }, "rule state unreadable; starting afresh");
      this.state = restored.state;
      items = saved.data.outbox.map((x) => ("type" in x ? x : { type: alert.type, id: alertId(x), data: x }));
    } else if (saved.error && readJson(file) !== undefined) {
      log.error({ file }, "alert state unreadable; starting afresh (firing alerts will be announced again)");
    }
    // The outbox persists through this book, so its queue and the rule state are one write.
    this.outbox = new Outbox({ bus, log, items, persist: () => this.save() });
  }

  evaluate(rules: readonly CompiledRule[], samples: readonly Sample[], now: Date, host: string): Alert[] {
    const { state, alerts } = evaluate(this.state, rules, samples, now, host);
    this.state = state;
    for (const a of alerts) this.outbox.add(alert, a, { id: alertId(a) });
    if (alerts.length === 0) this.save();
    return alerts;
  }

  /** Publishes the waiting alerts in order; stops at the first failure and keeps the rest for next time. */
  flush(): Promise<number> {
    return this.outbox.flush();
  }

  firing(): Alert[] {
    return firingAlerts(this.state);
  }

  pending(): number {
    return this.outbox.pending;
  }

  /** Whether the last save worked. */
  get saving(): boolean {
    return this.saveFailure === undefined;
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ state: this.state, outbox: this.outbox?.snapshot() ?? [] }));
      renameSync(tmp, this.file);
    } catch (err) {
      if (this.saveFailure === undefined) {
        this.log.error(
          { file: this.file, reason: (err as Error).message },
          `cannot save the alert state (${(err as Error).message}); alerts still go out`,
        );
      }
      this.saveFailure = (err as Error).message;
      return;
    }
    if (this.saveFailure !== undefined) this.log.info({ file: this.file }, "alert state saved again");
    this.saveFailure = undefined;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
