import { randomUUID } from "node:crypto";
import type { Clock } from "@lag/async";
import { ServiceError, type Bus } from "@lag/bus";
import {
  approvalChain,
  approvalRequests,
  approvalsService,
  type Actor,
  type ApprovalDecision,
  type ApprovalRequest,
  type Renewal,
  type Subscription,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { Providers } from "./providers/providers.ts";
import { underWay, type Register } from "./register.ts";

const SELF: Actor = { kind: "worker", name: "it-subscriptions" };

/** Where each provider's own renewal page is, for a task when the subscription names none. */
const RENEW_PAGES: Record<string, string> = {
  godaddy: "https://dcc.godaddy.com/control/portfolio",
  cloudflare: "https://dash.cloudflare.com/?to=/:account/domains",
  noip: "https://my.noip.com/dynamic-dns",
};

/**
 * Renewals: one that costs money is asked of CEO_LAG (an approval request with its cost) and
 * carried out only once approved — by the provider's API where the account allows (GoDaddy's
 * renew; Cloudflare's auto-renew turned on), else as a task for the operator (link, date, amount).
 * Either way it is closed when the source shows a later expiry than the one it set out to move.
 */
export class Renewals {
  constructor(
    private readonly o: {
      register: Register;
      providers: Providers;
      outbox: Outbox;
      bus: Bus;
      clock: Clock;
      log: Logger;
      host: string;
      approvalTimeout: number;
      /** Reads the subscription's source again soon (after a renewal call). */
      recheck: (id: string) => void;
    },
  ) {}

  waitingForSource(s: Subscription): boolean {
    return s.renewalState?.state === "renewing" || s.renewalState?.state === "task";
  }

  /** A lead-time warning of a subscription renewed through approval starts its renewal, unless one is under way. */
  async onWarning(s: Subscription): Promise<void> {
    if (s.renewal !== "approval" || underWay(s)) return;
    await this.request(s, s.period, SELF).catch((err: Error) =>
      this.o.log.error({ subscription: s.id, err: err.message }, "could not ask for the renewal"),
    );
  }

  /** Starts a renewal: asked of CEO_LAG when it costs money, else carried out at once. */
  async request(s: Subscription, years: number, by: Actor): Promise<Subscription> {
    if (underWay(s)) throw new ServiceError(409, `a renewal of ${s.id} is ${s.renewalState!.state} already: ${s.renewalState!.note}`);
    const now = this.o.clock.now();
    const cost = s.cost ? { amount: Math.round(s.cost.amount * years * 100) / 100, currency: s.cost.currency } : undefined;
    const adapter = this.o.providers.reader(s.provider);
    // A provider's API spends money when it renews (or turns auto-renew on): never without an approval, so never without a cost.
    if (!cost && (adapter?.renew || adapter?.setAutoRenew))
      throw new ServiceError(
        400,
        `${s.id} has no cost: a renewal through ${s.provider}'s API spends money and is asked of CEO_LAG with its cost (lag subs edit ${s.id} --cost "12 EUR")`,
      );
    if (!cost || cost.amount === 0) return this.carryOut(s, years, undefined);
    const id = randomUUID();
    const renewalState: Renewal = {
      state: "requested",
      requestId: id,
      ...(s.expiresAt ? { from: s.expiresAt } : {}),
      years,
      cost,
      since: now.toISOString(),
      note: `asked CEO_LAG to approve ${cost.amount} ${cost.currency}`,
    };
    // Written down before the request leaves: its decision always finds it.
    const saved = this.o.register.save(
      { ...s, renewalState },
      {
        change: "renewal-requested",
        by,
        note: `renew ${s.name} for ${years} year(s), ${cost.amount} ${cost.currency}: approval ${id}`,
        chain: { correlationid: id },
      },
    );
    const request: ApprovalRequest = {
      id,
      requester: "it-subscriptions",
      action: { kind: "renew-subscription", params: { subscription: s.id, name: s.name, provider: s.provider, years } },
      reason: `${s.kind} ${s.name} ${s.expiresAt ? `expires on ${s.expiresAt.slice(0, 10)}` : "has no known expiry"}: renew it for ${years} year(s) at ${s.provider}`,
      cost,
      risk: "low",
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.o.approvalTimeout).toISOString(),
      links: { subscription: s.id, correlationId: id },
      evidence: {
        summary: `renew ${s.kind} ${s.name} at ${s.provider} for ${years} year(s): ${cost.amount} ${cost.currency}`,
        observed: [
          s.expiresAt
            ? `expires ${s.expiresAt.slice(0, 10)} (${s.expirySource ? `read from ${s.expirySource.kind} ${s.expirySource.at.slice(0, 10)}` : "date kept by hand"})`
            : "no expiry known",
          ...(s.noticeAt ? [`notice date ${s.noticeAt.slice(0, 10)}`] : []),
          this.o.providers.reader(s.provider)?.renew
            ? `${s.provider}'s API renews it once approved`
            : "renewed by the operator once approved (a task)",
        ],
      },
      labels: { subscription: s.id, provider: s.provider, kind: s.kind },
    };
    await this.o.outbox.publish(approvalRequests["it-subscriptions"], request, approvalChain.request(request));
    this.o.log.info({ subscription: s.id, request: id, cost }, "renewal asked of CEO_LAG");
    return saved;
  }

  /** CEO_LAG's decision on a renewal this worker asked for. */
  async decided(d: ApprovalDecision): Promise<void> {
    const s = this.o.register.all().find((x) => x.renewalState?.requestId === d.requestId);
    if (s?.renewalState?.state !== "requested") return;
    const by: Actor = { kind: d.by.kind === "person" ? "person" : "policy", name: d.by.name };
    if (d.decision !== "approved") {
      this.o.register.save(
        {
          ...s,
          renewalState: {
            ...s.renewalState,
            state: "denied",
            since: d.decidedAt,
            note: `${d.decision} by ${d.by.name}${d.note ? `: ${d.note}` : ""}`,
          },
        },
        {
          change: "renewal-denied",
          by,
          note: `not renewed: the request was ${d.decision} by ${d.by.name}`,
          chain: approvalChain.effect(d.requestId, d.requestId),
        },
      );
      return;
    }
    await this.carryOut(s, s.renewalState.years, d.requestId);
  }

  /** Renews by the provider's API where it can, else opens a task for the operator. */
  private async carryOut(s: Subscription, years: number, requestId: string | undefined): Promise<Subscription> {
    const now = this.o.clock.now().toISOString();
    const base = {
      ...(requestId ? { requestId } : {}),
      ...(s.expiresAt ? { from: s.expiresAt } : {}),
      years,
      ...(s.cost ? { cost: { amount: s.cost.amount * years, currency: s.cost.currency } } : {}),
      since: now,
    };
    const adapter = this.o.providers.reader(s.provider);
    const chain = requestId ? approvalChain.effect(requestId, requestId) : undefined;
    try {
      if (adapter?.renew) {
        const note = await adapter.renew(s.name, years);
        const out = this.o.register.save(
          {
            ...this.current(s),
            renewalState: { ...base, state: "renewing", note: `${note}; waiting for the source to show the new date` },
          },
          { change: "provider-updated", by: SELF, note, ...(chain ? { chain } : {}) },
        );
        this.o.recheck(s.id);
        return out;
      }
      if (adapter?.setAutoRenew) {
        await adapter.setAutoRenew(s.name, true);
        const note = `auto-renew turned on at ${s.provider}: it renews ${s.name} before it expires (its API cannot renew on demand)`;
        return this.o.register.save(
          { ...this.current(s), renewalState: { ...base, state: "renewing", note } },
          { change: "provider-updated", by: SELF, note, ...(chain ? { chain } : {}) },
        );
      }
    } catch (err) {
      if (!this.o.providers.isAccessDenied(err)) {
        const note = `renewal failed: ${(err as Error).message}`;
        this.o.log.error({ subscription: s.id, err: (err as Error).message }, "renewal failed");
        return this.o.register.save(
          { ...this.current(s), renewalState: { ...base, state: "failed", note } },
          { change: "renewal-failed", by: SELF, note, ...(chain ? { chain } : {}) },
        );
      }
      this.o.log.warn(
        { subscription: s.id, err: (err as Error).message },
        "the provider's API may not renew for this account: a task for the operator",
      );
    }
    const link = s.link ?? RENEW_PAGES[s.provider];
    const note = `renew ${s.name} for ${years} year(s)${link ? ` at ${link}` : ` at ${s.provider}`}${base.cost ? ` (${base.cost.amount} ${base.cost.currency})` : ""}${s.expiresAt ? ` before ${s.expiresAt.slice(0, 10)}` : ""}; closed when the source shows the new date`;
    return this.o.register.save(
      { ...this.current(s), renewalState: { ...base, state: "task", note, ...(link ? { link } : {}) } },
      { change: "task-opened", by: SELF, note, ...(chain ? { chain } : {}) },
    );
  }

  /** The subscription as the register has it now (a read may have changed it while a provider's API answered). */
  private current(s: Subscription): Subscription {
    return this.o.register.get(s.id) ?? s;
  }

  /**
   * A renewal under way whose source now shows a later expiry than the one it set out to move is
   * done. One still waiting for its approval was renewed elsewhere (by hand, or by the provider):
   * nothing is renewed, and the request is withdrawn from CEO_LAG.
   */
  confirmIfShown(s: Subscription): Subscription {
    const r = s.renewalState;
    if (!r || !underWay(s) || !s.expiresAt) return s;
    if (r.from && Date.parse(s.expiresAt) <= Date.parse(r.from)) return s;
    const shows = `${s.expirySource?.kind ?? "the source"} shows ${s.expiresAt.slice(0, 10)}${r.from ? ` (was ${r.from.slice(0, 10)})` : ""}`;
    const note = r.state === "requested" ? `${shows} before the approval was decided: renewed elsewhere, nothing renewed here` : shows;
    const change = r.state === "task" ? "task-closed" : "renewed";
    const done = this.o.register.save(
      { ...s, renewalState: { ...r, state: "done", since: this.o.clock.now().toISOString(), note } },
      { change, by: SELF, note, ...(r.requestId ? { chain: { correlationid: r.requestId } } : {}) },
    );
    if (r.state === "requested" && r.requestId) {
      const id = r.requestId;
      this.o.bus
        .request(approvalsService.endpoints.cancel, {
          id,
          requester: "it-subscriptions",
          reason: `${s.name} was renewed elsewhere: ${shows}`,
        })
        .then(() => this.o.log.info({ subscription: s.id, requestId: id }, "approval request withdrawn"))
        // CEO_LAG away: the request expires there, and a late approval finds the renewal done here.
        .catch((err: Error) => this.o.log.warn({ requestId: id, err: err.message }, "could not withdraw the approval request"));
    }
    return done;
  }
}
