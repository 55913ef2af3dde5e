import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { Alert } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Sample } from "../samples.ts";
import type { CompiledRule } from "../rules/compile.ts";
import { evaluate } from "../rules/engine.ts";
import { emptyState, firingAlerts, restoreState, type RuleState } from "../rules/state.ts";

/** Alerts waiting to be stored by JetStream are kept beyond this many only by dropping the oldest. */
const MAX_OUTBOX = 10_000;

const Saved = z.object({ state: z.unknown(), outbox: z.array(Alert) });

/**
 * The rule engine's state and an outbox of alerts not yet acknowledged by JetStream, saved together
 * in one file after every change. An alert leaves the outbox only once stored, so a NATS outage or a
 * crash delays alerts but never loses them; their ids are deterministic, so a re-publish after a
 * crash is stored once.
 */
export class AlertBook {
  private state: RuleState = emptyState();
  private outbox: Alert[] = [];
  private failing = false;
  private saveFailure?: string;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {
    let raw: string;
    try {
      raw = readFileSync(file, "utf8");
    } catch {
      return; // first start
    }
    const saved = Saved.safeParse(safeJson(raw));
    if (!saved.success) {
      log.error({ file }, "alert state unreadable; starting afresh (firing alerts will be announced again)");
      return;
    }
    const restored = restoreState(saved.data.state);
    if (restored.error) log.error({ file, error: restored.error }, "rule state unreadable; starting afresh");
    this.state = restored.state;
    this.outbox = saved.data.outbox;
  }

  evaluate(rules: readonly CompiledRule[], samples: readonly Sample[], now: Date, host: string): Alert[] {
    const { state, alerts } = evaluate(this.state, rules, samples, now, host);
    this.state = state;
    if (alerts.length > 0) {
      this.outbox.push(...alerts);
      if (this.outbox.length > MAX_OUTBOX) {
        const dropped = this.outbox.splice(0, this.outbox.length - MAX_OUTBOX);
        this.log.error({ dropped: dropped.length }, "alert outbox full: oldest unsent alerts dropped");
      }
    }
    this.save();
    return alerts;
  }

  /** Publishes the outbox in order; stops at the first failure and keeps the rest for next time. */
  async flush(publish: (a: Alert) => Promise<unknown>): Promise<number> {
    let sent = 0;
    while (this.outbox.length > 0) {
      try {
        await publish(this.outbox[0]!);
      } catch (err) {
        if (!this.failing) this.log.error({ err, pending: this.outbox.length }, "alerts cannot be published; kept for retry");
        this.failing = true;
        break;
      }
      if (this.failing) this.log.info({ pending: this.outbox.length }, "alerts publishing again");
      this.failing = false;
      this.outbox.shift();
      sent++;
      this.save();
    }
    return sent;
  }

  firing(): Alert[] {
    return firingAlerts(this.state);
  }

  pending(): number {
    return this.outbox.length;
  }

  /** Whether the last save worked. */
  get saving(): boolean {
    return this.saveFailure === undefined;
  }

  /**
   * Saved after every change. When the disk is full or read-only the state lives on in memory —
   * rules are still evaluated and alerts still published — and the failure is logged once (and
   * becomes the `lag.store_ok{store=alert-state}` sample); the next save that works says so.
   */
  private save(): void {
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ state: this.state, outbox: this.outbox }));
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

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
