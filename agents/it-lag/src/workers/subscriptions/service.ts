import type { Clock } from "@lag/async";
import { ServiceError, type ServiceHandlers } from "@lag/bus";
import type { Actor, Subscription, subscriptionsService } from "@lag/contracts";
import type { SourceChecks } from "./checks.ts";
import type { SubscriptionsConfig } from "./config.ts";
import { calendar } from "./ics.ts";
import { applySet, datesOf, newSubscription, type EditSet, type Register } from "./register.ts";
import type { Renewals } from "./renewals.ts";
import type { RdapBootstrap } from "./sources/bootstrap.ts";
import type { LeadWarnings } from "./warnings.ts";

const person = (name: string): Actor => ({ kind: "person", name });

/** The soonest date of a subscription (expiry or notice), or Infinity. */
function soonest(s: Subscription): number {
  return Math.min(...datesOf(s).map((d) => Date.parse(d.at)), Number.POSITIVE_INFINITY);
}

export function subscriptionHandlers(o: {
  cfg: SubscriptionsConfig;
  host: string;
  register: Register;
  checks: SourceChecks;
  renewals: Renewals;
  warnings: LeadWarnings;
  bootstrap: RdapBootstrap;
  clock: Clock;
}): ServiceHandlers<typeof subscriptionsService> {
  const get = (id: string): Subscription => {
    const s = o.register.get(id);
    if (!s) throw new ServiceError(404, `no subscription ${id} (lag subs list)`);
    return s;
  };
  return {
    list: ({ kind, dueWithinDays }) => {
      const until = dueWithinDays === undefined ? undefined : o.clock.now().getTime() + dueWithinDays * 86_400_000;
      const subscriptions = o.register
        .all()
        .filter((s) => (!kind || s.kind === kind) && (until === undefined || soonest(s) <= until))
        .sort((a, b) => soonest(a) - soonest(b) || a.id.localeCompare(b.id));
      return { subscriptions };
    },
    show: ({ id }) => {
      const s = get(id);
      return { subscription: s, history: o.register.history(id), warned: o.register.warned(s) };
    },
    add: async ({ subscription, by }) => {
      if (o.register.get(subscription.id))
        throw new ServiceError(409, `subscription ${subscription.id} exists already: lag subs edit ${subscription.id}`);
      if (subscription.renewal === "approval" && !subscription.cost)
        throw new ServiceError(400, "subscription.cost: a renewal through approval needs its cost");
      const s = newSubscription(subscription, "cli", o.cfg.leadDays, o.clock.now(), by);
      o.register.save(s, { change: "added", by: person(by), note: `${s.kind} ${s.name} at ${s.provider}` });
      const [read] = await o.checks.checkIds([s.id]);
      return read ?? get(s.id);
    },
    edit: async ({ id, set, by }) => {
      const before = get(id);
      const changed = Object.keys(set).filter((k) => set[k as keyof EditSet] !== undefined);
      if (changed.length === 0) throw new ServiceError(400, "set: nothing to change");
      const after = applySet(before, set, by, o.clock.now(), o.cfg.leadDays);
      if (after.renewal === "approval" && !after.cost) throw new ServiceError(400, "set.cost: a renewal through approval needs its cost");
      const saved = o.register.save(after, {
        change: "edited",
        by: person(by),
        note: `changed ${changed.join(", ")}`,
        ...(set.expiresAt !== undefined && before.expiresAt ? { previousExpiresAt: before.expiresAt } : {}),
      });
      // A new name or source is read at once; a date set by hand is looked at as any other.
      if (set.name !== undefined || set.source !== undefined || set.provider !== undefined)
        return (await o.checks.checkIds([id]))[0] ?? saved;
      return o.checks.afterDates(saved);
    },
    remove: ({ id, by }) => {
      const s = get(id);
      o.warnings.forget(s, `${s.name} was removed from the register by ${by}`);
      o.register.remove(s, person(by), `removed by ${by}`);
      return s;
    },
    check: async ({ id }) => {
      const ids = id ? [get(id).id] : o.register.all().map((s) => s.id);
      return { subscriptions: await o.checks.checkIds(ids) };
    },
    renew: ({ id, years, by }) => {
      const s = get(id);
      return o.renewals.request(s, years ?? s.period, person(by));
    },
    bootstrap: async ({ refresh }) => {
      if (!refresh) return o.bootstrap.current();
      try {
        return await o.bootstrap.refresh(o.clock.now(), o.cfg.timeout);
      } catch (err) {
        return { ...o.bootstrap.current(), error: (err as Error).message };
      }
    },
    ics: () => calendar(o.register.all(), o.host, o.clock.now()),
  };
}
