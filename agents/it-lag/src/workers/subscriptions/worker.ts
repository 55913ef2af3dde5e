import { fileURLToPath } from "node:url";
import {
  approvalDecided,
  mailIn,
  subscriptionAlert,
  subscriptionsDecisions,
  subscriptionsMailInbox,
  subscriptionsService,
} from "@lag/contracts";
import { consume, defineWorker, schedule, serve } from "@lag/worker";
import { itConfig } from "../../config.ts";
import { RaisedAlerts } from "../../raised-alerts.ts";
import { SourceChecks } from "./checks.ts";
import { fromMail } from "./mail-events.ts";
import { Providers } from "./providers/providers.ts";
import { applySet, newSubscription, Register, seedChanges } from "./register.ts";
import { Renewals } from "./renewals.ts";
import { subscriptionHandlers } from "./service.ts";
import { RdapBootstrap } from "./sources/bootstrap.ts";
import { ExpiryReader } from "./expiry.ts";
import * as schema from "./store/schema.ts";
import { LeadWarnings, type SubscriptionRule } from "./warnings.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * IT_LAG's subscription worker: the register of domains, hostnames, certificates and plans; each
 * expiry read from its source on a schedule; warnings at lead times as alerts of rising severity;
 * renewals that cost money asked of CEO_LAG and carried out (API or task) once approved; NoIP's and
 * registrars' mails applied; an iCalendar feed.
 */
export const subscriptionsWorker = defineWorker({
  name: "it-subscriptions",
  principal: "it-subscriptions",
  config: itConfig.section("subscriptions"),
  store: { schema, migrationsFolder },

  setup(ctx) {
    const { config: cfg, log, outbox, bus, clock, signal } = ctx;
    const host = cfg.host!;
    const db = ctx.store.db;
    const register = new Register({ db, outbox, clock });
    const alerts = new RaisedAlerts<SubscriptionRule>({
      event: subscriptionAlert,
      store: register,
      outbox,
      clock,
      log,
      host,
      source: (labels) => `subscription:${labels.subscription ?? "all"}`,
    });
    const bootstrap = new RdapBootstrap({ db, url: cfg.rdap.bootstrapUrl, overrides: cfg.rdap.servers });
    const providers = new Providers(cfg);
    const reader = new ExpiryReader({ cfg, bootstrap, providers, signal });
    const warnings = new LeadWarnings({ register, alerts, defaultLeads: cfg.leadDays });
    const renewals = new Renewals({
      register,
      providers,
      outbox,
      bus,
      clock,
      log,
      host,
      approvalTimeout: cfg.approvalTimeout,
      recheck: (id) => void checks.checkIds([id]),
    });
    const checks: SourceChecks = new SourceChecks({ cfg, register, reader, warnings, renewals, alerts, clock, log });
    // The config file seeds the register. A field changed there since it was last applied is
    // applied again (one edited by a person and left alone in the file stays as the person set it).
    const now = clock.now();
    const byConfig = { kind: "worker" as const, name: "config" };
    for (const item of cfg.items) {
      const held = register.get(item.id);
      if (!held)
        register.save(newSubscription(item, "config", cfg.leadDays, now, "config"), {
          change: "added",
          by: byConfig,
          note: "from the configuration file",
        });
      else if (held.kind !== item.kind)
        log.warn(
          { subscription: item.id, register: held.kind, config: item.kind },
          "the config file gives another kind: remove it (lag subs remove) to add it anew",
        );
      else {
        const set = seedChanges(register.seed(item.id), item);
        const fields = Object.keys(set);
        if (fields.length > 0)
          register.save(applySet(held, set, "config", now, cfg.leadDays), {
            change: "edited",
            by: byConfig,
            note: `changed in the configuration file: ${fields.join(", ")}`,
          });
      }
      register.setSeed(item.id, item);
    }
    const boot = bootstrap.current();
    log.info(
      {
        host,
        subscriptions: register.all().length,
        bootstrap: `${boot.origin} ${boot.publication} (${boot.tlds} TLDs)`,
        providers: Object.keys(cfg.providers),
      },
      "subscriptions ready",
    );
    return { register, checks, renewals, warnings, bootstrap, host };
  },

  bindings(s, { config: cfg, clock }) {
    return [
      consume(subscriptionsMailInbox, (d) => {
        if (!d.is(mailIn)) return;
        const changed = fromMail(d.data, s.register, clock.now(), cfg.leadDays);
        if (changed) s.checks.afterDates(changed);
      }),
      consume(subscriptionsDecisions, async (d) => {
        if (!d.is(approvalDecided) || d.data.requester !== "it-subscriptions") return;
        await s.renewals.decided(d.data);
      }),
      serve(subscriptionsService, subscriptionHandlers({ cfg, clock, ...s })),
      schedule("register", { every: cfg.tick }, () => s.checks.tick()),
    ];
  },

  started: ({ checks }) => void checks.tick(),
});
