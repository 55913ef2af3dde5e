import { backoffDelay, mapLimit, type Clock } from "@lag/async";
import type { Actor, Subscription } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { RaisedAlerts } from "../../raised-alerts.ts";
import type { SubscriptionsConfig } from "./config.ts";
import type { Register } from "./register.ts";
import type { Renewals } from "./renewals.ts";
import type { ExpiryReader, Reading } from "./expiry.ts";
import { NotFoundError, RateLimitedError } from "./sources/http.ts";
import type { LeadWarnings, SubscriptionRule } from "./warnings.ts";

const SELF: Actor = { kind: "worker", name: "it-subscriptions" };

/**
 * Reads each subscription's source when it is due (every `checkEvery`; after a failure with
 * back-off, or when a 429 says), brings the register in line with what the source shows (an
 * expiry-changed event says so), reports a source that keeps failing once (an event and a low
 * alert) and its recovery; then the lead times are looked at.
 */
export class SourceChecks {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: {
      cfg: SubscriptionsConfig;
      register: Register;
      reader: ExpiryReader;
      warnings: LeadWarnings;
      renewals: Renewals;
      alerts: RaisedAlerts<SubscriptionRule>;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** The periodic look: due sources read, then every subscription's lead times and renewals. */
  async tick(): Promise<void> {
    const now = this.o.clock.now().getTime();
    await this.checkIds(this.o.register.due(now), { dueOnly: true });
    for (const s of this.o.register.all()) this.afterDates(s);
  }

  /**
   * Reads these subscriptions' sources now, `concurrency` at once, after any read under way. With
   * `dueOnly` (the periodic look) one read meanwhile by a person's request is not repeated.
   */
  checkIds(ids: readonly string[], o: { dueOnly?: boolean } = {}): Promise<Subscription[]> {
    const run = this.running.then(() =>
      mapLimit(ids, this.o.cfg.concurrency, async (id) => {
        const s = this.o.register.get(id);
        if (!s || (o.dueOnly && this.o.register.nextCheck(id) > this.o.clock.now().getTime())) return undefined;
        return this.checkOne(s);
      }),
    );
    this.running = run.catch(() => undefined);
    return run.then((xs) => xs.filter((x): x is Subscription => x !== undefined));
  }

  private async checkOne(asked: Subscription): Promise<Subscription> {
    const now = this.o.clock.now();
    let reading: Reading | undefined;
    let error: Error | undefined;
    try {
      reading = await this.o.reader.read(asked);
    } catch (err) {
      error = err as Error;
    }
    // Read again after the wait: a renewal decided or an edit made meanwhile is kept.
    const s = this.o.register.get(asked.id);
    if (!s) return asked;
    if (!reading) return this.failed(s, error!, now);
    const next = now.getTime() + (this.o.renewals.waitingForSource(s) ? this.o.cfg.retryMin : this.o.cfg.checkEvery);
    this.o.register.scheduleCheck(s.id, reading.kind === "none" ? Number.MAX_SAFE_INTEGER : next, 0);
    const check: Subscription["check"] =
      reading.kind === "none"
        ? { state: "none", at: now.toISOString() }
        : { state: "ok", at: now.toISOString(), nextAt: new Date(next).toISOString() };
    let out = { ...s, check };
    if (s.check.state === "failing") {
      const note =
        reading.kind === "none" ? `no source is read any more: the date is ${reading.detail}` : `${reading.detail} answers again`;
      out = this.o.register.save(out, { change: "source-recovered", by: SELF, note });
      this.o.alerts.resolve("subscription-source-failed", { subscription: s.id }, `${s.name}: its source answers again`);
    }
    if (reading.kind !== "none" && reading.expiresAt !== s.expiresAt) {
      const before = s.expiresAt;
      out = this.o.register.save(
        { ...out, expiresAt: reading.expiresAt, expirySource: { kind: reading.kind, at: now.toISOString(), detail: reading.detail } },
        {
          change: "expiry-changed",
          by: SELF,
          note: `${reading.detail} shows ${reading.expiresAt.slice(0, 10)}${before ? ` (the register had ${before.slice(0, 10)})` : ""}`,
          ...(before ? { previousExpiresAt: before } : {}),
        },
      );
    } else if (reading.kind !== "none") {
      out = this.o.register.save({ ...out, expirySource: { kind: reading.kind, at: now.toISOString(), detail: reading.detail } });
    } else out = this.o.register.save(out);
    return this.afterDates(out);
  }

  /** What follows a date: a renewal the source now confirms is closed, the lead times are looked at. */
  afterDates(s: Subscription): Subscription {
    const closed = this.o.renewals.confirmIfShown(s);
    const warned = this.o.warnings.evaluate(closed, this.o.clock.now().getTime());
    if (warned.length > 0) void this.o.renewals.onWarning(closed);
    return closed;
  }

  private failed(s: Subscription, err: Error, now: Date): Subscription {
    const failures = this.o.register.failures(s.id) + 1;
    const wait =
      err instanceof RateLimitedError && err.retryAfterMs !== undefined
        ? Math.max(err.retryAfterMs, this.o.cfg.retryMin)
        : err instanceof NotFoundError
          ? this.o.cfg.checkEvery
          : backoffDelay(failures, { initialMs: this.o.cfg.retryMin, maxMs: this.o.cfg.retryMax });
    const nextAt = now.getTime() + wait;
    this.o.register.scheduleCheck(s.id, nextAt, failures);
    this.o.log.warn({ subscription: s.id, failures, retryInMs: wait, err: err.message }, "could not read the source");
    const check: Subscription["check"] = {
      state: failures >= this.o.cfg.reportAfter || s.check.state === "failing" ? "failing" : "retrying",
      at: now.toISOString(),
      error: err.message,
      nextAt: new Date(nextAt).toISOString(),
      ...(s.check.failingSince ? { failingSince: s.check.failingSince } : {}),
    };
    // Reported once: when the failures in a row reach `reportAfter`.
    if (failures === this.o.cfg.reportAfter && s.check.state !== "failing") {
      const out = this.o.register.save(
        { ...s, check: { ...check, state: "failing", failingSince: now.toISOString() } },
        { change: "source-failed", by: SELF, note: `${failures} reads failed in a row: ${err.message}` },
      );
      this.o.alerts.fire({
        rule: "subscription-source-failed",
        severity: "low",
        summary: `${s.name}: its expiry cannot be read (${err.message}); the register keeps ${s.expiresAt?.slice(0, 10) ?? "no date"}`,
        labels: { subscription: s.id },
        value: failures,
        threshold: this.o.cfg.reportAfter,
      });
      return this.afterDates(out);
    }
    return this.afterDates(this.o.register.save({ ...s, check }));
  }
}
