import { z } from "zod";
import { approvalDecided, Money } from "../ceo/approvals.ts";
import { defineConsumer, defineEvent, defineService, endpoint } from "../descriptors.ts";
import { approvalsStream, mailStream, subscriptionsStream } from "../streams.ts";
import { IsoTime, Slug } from "./common.ts";
import { Actor } from "./incidents.ts";
import { mailIn } from "./mail.ts";

/**
 * IT_LAG's subscriptions: a register of every domain, dynamic-DNS hostname, certificate and paid
 * plan Kronos depends on, each expiry read from its source (RDAP, WHOIS, the certificate, the
 * provider's API, NoIP's mails) or kept by hand, warned of at lead times, renewed through CEO_LAG
 * when it costs money.
 */

export const SubscriptionKind = z.enum(["domain", "hostname", "certificate", "plan"]);
export type SubscriptionKind = z.infer<typeof SubscriptionKind>;

/** auto: the provider renews it by itself; manual: a person does, LAG reminds; approval: LAG asks CEO_LAG and renews (or opens a task). */
export const RenewalMode = z.enum(["auto", "manual", "approval"]);
export type RenewalMode = z.infer<typeof RenewalMode>;

/** Where an expiry date was read: the registry (RDAP, WHOIS), the certificate, the provider's API, a mail, or a person. */
export const DateSource = z.enum(["rdap", "whois", "tls", "provider", "mail", "manual"]);
export type DateSource = z.infer<typeof DateSource>;

/** What the worker asks for the expiry: `auto` picks by kind (domain: provider API, else RDAP, else WHOIS; certificate: TLS; hostname: mail). */
export const SourceChoice = z.enum(["auto", "rdap", "whois", "tls", "provider", "mail", "manual"]);
export type SourceChoice = z.infer<typeof SourceChoice>;

/** A renewal under way: asked of CEO_LAG, carried out by the provider's API, or a task for the operator. */
export const Renewal = z.object({
  state: z.enum(["requested", "renewing", "task", "done", "denied", "failed"]),
  /** The approval request's id (absent for a renewal that costs nothing). */
  requestId: z.string().optional(),
  /** The expiry the renewal must move: the source showing a later date closes it. */
  from: IsoTime.optional(),
  years: z.number().int().positive(),
  cost: Money.optional(),
  since: IsoTime,
  /** What was done or is to be done: "renewed through GoDaddy's API", "renew by hand at … before …". */
  note: z.string(),
  /** Where to do it by hand (a task). */
  link: z.string().optional(),
});
export type Renewal = z.infer<typeof Renewal>;

export const Subscription = z.object({
  /** `lagrieta-es`: a subject token, chosen when it is added. */
  id: Slug,
  kind: SubscriptionKind,
  /** The domain, hostname, `host:port` of a certificate, or the plan's name. */
  name: z.string().min(1),
  /** noip, godaddy, cloudflare, letsencrypt, or any other slug. */
  provider: Slug,
  expiresAt: IsoTime.optional(),
  /** Where `expiresAt` came from and when it was read. */
  expirySource: z.object({ kind: DateSource, at: IsoTime, detail: z.string().optional() }).optional(),
  /** The last day to cancel or renew without loss, when it is earlier than the expiry. */
  noticeAt: IsoTime.optional(),
  /** `noticeAt` as days before the expiry (kept when the expiry moves). */
  noticeDays: z.number().int().nonnegative().optional(),
  source: SourceChoice,
  cost: Money.optional(),
  /** Years a renewal adds. */
  period: z.number().int().positive(),
  renewal: RenewalMode,
  /** Days before each date at which to warn, largest first. */
  leadDays: z.array(z.number().int().positive()),
  notes: z.string().optional(),
  /** Where to renew by hand. */
  link: z.string().optional(),
  /**
   * How reading the source goes: ok; retrying (the last reads failed, fewer than it.subscriptions.reportAfter);
   * failing since (reported); or none: nothing to read (a date kept by hand, or one that comes by mail).
   */
  check: z.object({
    state: z.enum(["ok", "retrying", "failing", "none"]),
    at: IsoTime.optional(),
    error: z.string().optional(),
    failingSince: IsoTime.optional(),
    nextAt: IsoTime.optional(),
  }),
  renewalState: Renewal.optional(),
  /** Added from the configuration file, by a person (`lag subs add`), or from a provider's mail (a NoIP hostname). */
  origin: z.enum(["config", "cli", "mail"]),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type Subscription = z.infer<typeof Subscription>;

export const SubscriptionChange = z.enum([
  "added",
  "edited",
  "removed",
  /** The source shows another expiry than the register had: updated. */
  "expiry-changed",
  "source-failed",
  "source-recovered",
  "renewal-requested",
  "renewal-denied",
  "renewed",
  "task-opened",
  "task-closed",
  "renewal-failed",
  /** A provider setting changed through its API (Cloudflare's auto_renew). */
  "provider-updated",
]);
export type SubscriptionChange = z.infer<typeof SubscriptionChange>;

export const SubscriptionEvent = z.object({
  change: SubscriptionChange,
  subscription: Subscription,
  by: Actor,
  note: z.string(),
  /** The expiry before an expiry-changed. */
  previousExpiresAt: IsoTime.optional(),
  at: IsoTime,
});
export type SubscriptionEvent = z.infer<typeof SubscriptionEvent>;

const exampleSubscription: Subscription = {
  id: "lagrieta-es",
  kind: "domain",
  name: "lagrieta.es",
  provider: "godaddy",
  expiresAt: "2026-12-07T10:00:00.000Z",
  expirySource: { kind: "whois", at: "2026-11-23T06:00:00.000Z", detail: "whois.nic.es" },
  noticeDays: 3,
  noticeAt: "2026-12-04T10:00:00.000Z",
  source: "auto",
  cost: { amount: 12, currency: "EUR" },
  period: 1,
  renewal: "approval",
  leadDays: [30, 14, 7, 3, 1],
  check: { state: "ok", at: "2026-11-23T06:00:00.000Z", nextAt: "2026-11-23T12:00:00.000Z" },
  origin: "config",
  createdAt: "2026-01-10T09:00:00.000Z",
  updatedAt: "2026-11-23T06:00:00.000Z",
};

export const subscriptionChanged = defineEvent({
  type: "es.lagrieta.it.subscription.v1",
  subject: "lag.it.subscription.{change}.{id}",
  schema: SubscriptionEvent,
  publisher: "it-subscriptions",
  audience: "all",
  stream: subscriptionsStream,
  tokens: (d) => ({ change: d.change, id: d.subscription.id }),
  description:
    "A change to the subscription register (added, edited, removed by a person or the config), what a source said (expiry changed, source failing or back), and a renewal's life (requested, denied, renewed, task opened/closed, failed); with the subscription as it is now.",
  example: {
    change: "expiry-changed",
    subscription: exampleSubscription,
    by: { kind: "worker", name: "it-subscriptions" },
    note: "whois.nic.es shows 2026-12-07 (the register had 2026-12-06)",
    previousExpiresAt: "2026-12-06T10:00:00.000Z",
    at: "2026-11-23T06:00:00.000Z",
  },
});

/** The fields a person sets with `lag subs add` / `edit` (or the config file seeds). */
export const SubscriptionInput = z.strictObject({
  id: Slug,
  kind: SubscriptionKind,
  name: z.string().min(1),
  provider: Slug.default("other"),
  expiresAt: IsoTime.optional(),
  noticeDays: z.number().int().nonnegative().optional(),
  noticeAt: IsoTime.optional(),
  source: SourceChoice.default("auto"),
  cost: Money.optional(),
  period: z.number().int().positive().default(1),
  renewal: RenewalMode.default("manual"),
  leadDays: z.array(z.number().int().positive()).min(1).optional(),
  notes: z.string().optional(),
  link: z.string().optional(),
});
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

const by = z.string().min(1).default("operator");

export const subscriptionsService = defineService({
  name: "it-subscriptions",
  version: "0.1.0",
  description:
    "IT_LAG's subscription register: list, show, add, edit, remove, check a source now, renew, the RDAP bootstrap, the calendar feed",
  server: "it-subscriptions",
  callers: "all",
  endpoints: {
    list: endpoint({
      subject: "lag.it.subscriptions.list",
      request: z.strictObject({
        kind: SubscriptionKind.optional(),
        /** Only those with a date (expiry or notice) within this many days. */
        dueWithinDays: z.number().int().nonnegative().optional(),
      }),
      reply: z.object({ subscriptions: z.array(Subscription) }),
      description: "The register, soonest date first (a subscription without a date last).",
      example: { request: {}, reply: { subscriptions: [exampleSubscription] } },
    }),
    show: endpoint({
      subject: "lag.it.subscriptions.show",
      request: z.strictObject({ id: Slug }),
      reply: z.object({
        subscription: Subscription,
        /** Its audit trail, newest first: every change and who made it. */
        history: z.array(SubscriptionEvent.pick({ change: true, by: true, note: true, at: true })),
        /** The lead-time warnings given for the current dates. */
        warned: z.array(z.object({ date: z.enum(["expiry", "notice"]), leadDays: z.number().int(), at: IsoTime })),
      }),
      description: "One subscription, its audit trail and the warnings given; 404 when unknown.",
      example: {
        request: { id: "lagrieta-es" },
        reply: {
          subscription: exampleSubscription,
          history: [
            {
              change: "added",
              by: { kind: "worker", name: "config" },
              note: "from the configuration file",
              at: "2026-01-10T09:00:00.000Z",
            },
          ],
          warned: [{ date: "expiry", leadDays: 14, at: "2026-11-23T10:00:00.000Z" }],
        },
      },
    }),
    add: endpoint({
      subject: "lag.it.subscriptions.add",
      request: z.strictObject({ subscription: SubscriptionInput, by }),
      reply: Subscription,
      description: "Adds a subscription (409 when the id is taken) and reads its source at once.",
      timeoutMs: 30_000,
      example: {
        request: { subscription: { id: "lagrieta-es", kind: "domain", name: "lagrieta.es", provider: "godaddy" }, by: "ana" },
        reply: exampleSubscription,
      },
    }),
    edit: endpoint({
      subject: "lag.it.subscriptions.edit",
      request: z.strictObject({
        id: Slug,
        /** The fields to change; `null` clears an optional one. */
        set: z.strictObject({
          name: z.string().min(1).optional(),
          provider: Slug.optional(),
          expiresAt: IsoTime.nullable().optional(),
          noticeDays: z.number().int().nonnegative().nullable().optional(),
          noticeAt: IsoTime.nullable().optional(),
          source: SourceChoice.optional(),
          cost: Money.nullable().optional(),
          period: z.number().int().positive().optional(),
          renewal: RenewalMode.optional(),
          leadDays: z.array(z.number().int().positive()).min(1).nullable().optional(),
          notes: z.string().nullable().optional(),
          link: z.string().nullable().optional(),
        }),
        by,
      }),
      reply: Subscription,
      description:
        "Changes a subscription's fields; an expiry set by hand is `manual` and closes an open renewal task when it moves past it. 404 when unknown.",
      example: { request: { id: "lagrieta-es", set: { cost: { amount: 14, currency: "EUR" } }, by: "ana" }, reply: exampleSubscription },
    }),
    remove: endpoint({
      subject: "lag.it.subscriptions.remove",
      request: z.strictObject({ id: Slug, by }),
      reply: Subscription,
      description:
        "Removes a subscription (its warnings resolved). One from the config file comes back at the next start unless removed there too.",
      example: { request: { id: "lagrieta-es", by: "ana" }, reply: exampleSubscription },
    }),
    check: endpoint({
      subject: "lag.it.subscriptions.check",
      request: z.strictObject({ id: Slug.optional() }),
      reply: z.object({ subscriptions: z.array(Subscription) }),
      description: "Reads the source of one subscription (or of all) now, and answers with what it found.",
      timeoutMs: 60_000,
      example: { request: { id: "lagrieta-es" }, reply: { subscriptions: [exampleSubscription] } },
    }),
    renew: endpoint({
      subject: "lag.it.subscriptions.renew",
      request: z.strictObject({ id: Slug, years: z.number().int().positive().optional(), by }),
      reply: Subscription,
      description:
        "Starts a renewal: one that costs money is asked of CEO_LAG first (then renewed by the provider's API where the account allows, else a task for the operator); 409 when one is under way.",
      timeoutMs: 30_000,
      example: { request: { id: "lagrieta-es", by: "ana" }, reply: exampleSubscription },
    }),
    bootstrap: endpoint({
      subject: "lag.it.subscriptions.bootstrap",
      request: z.strictObject({ refresh: z.boolean().default(false) }),
      reply: z.object({
        /** shipped: the copy that came with LAG; fetched: IANA's, fetched at `fetchedAt`. */
        origin: z.enum(["shipped", "fetched"]),
        publication: z.string(),
        url: z.string(),
        tlds: z.number().int(),
        fetchedAt: IsoTime.optional(),
        /** Why a refresh did not happen (the copy in use is unchanged). */
        error: z.string().optional(),
      }),
      description: "The IANA RDAP bootstrap data in use (which registry serves which TLD); with `refresh`, fetched anew from IANA first.",
      timeoutMs: 60_000,
      example: {
        request: { refresh: true },
        reply: {
          origin: "fetched",
          publication: "2026-11-20T19:00:01Z",
          url: "https://data.iana.org/rdap/dns.json",
          tlds: 1192,
          fetchedAt: "2026-11-23T06:00:00.000Z",
        },
      },
    }),
    ics: endpoint({
      subject: "lag.it.subscriptions.ics",
      request: z.strictObject({}),
      reply: z.object({ ics: z.string(), events: z.number().int() }),
      description:
        "An iCalendar feed (RFC 5545) of every expiry and notice date, each an all-day event with an alarm at the first lead time.",
      example: { request: {}, reply: { ics: "BEGIN:VCALENDAR\r\n…\r\nEND:VCALENDAR\r\n", events: 2 } },
    }),
  },
});

/** NoIP's confirmation mails and registrars' expiry notices update the register. */
export const subscriptionsMailInbox = defineConsumer({
  durable: "it-subscriptions-mail",
  stream: mailStream,
  principal: "it-subscriptions",
  events: [mailIn],
  description: "NoIP confirmation mails (a hostname's deadline) and registrar expiry notices, read by it-mail",
  maxDeliver: 5,
  ackWait: 30_000,
});

export const subscriptionsDecisions = defineConsumer({
  durable: "it-subscriptions-decisions",
  stream: approvalsStream,
  principal: "it-subscriptions",
  events: [approvalDecided],
  description: "CEO_LAG's decisions on it-subscriptions' renewal requests (nothing is renewed without one)",
  maxDeliver: 5,
  ackWait: 60_000,
});
