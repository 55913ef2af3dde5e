import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  Currency,
  RenewalMode,
  SourceChoice,
  type Subscription,
  SubscriptionKind,
  subscriptionsService,
  type InferRequest,
} from "@lag/contracts";
import type { ParsedArgs } from "../args.ts";
import { booleanOption, BY_OPTION, integerOption, onePositional, personOption, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";
import { when } from "../times.ts";

const DAY = 86_400_000;
const JSON_OPTION = { json: { type: "boolean", description: "the reply as JSON" } } as const;

/** `in 14 d` / `3 d ago`, coloured by how near it is. */
function daysLeft(s: Style, iso: string | undefined, now = Date.now()): string {
  if (!iso) return s.dim("no date");
  const d = (Date.parse(iso) - now) / DAY;
  const text = d >= 0 ? `${iso.slice(0, 10)} (in ${Math.ceil(d)} d)` : `${iso.slice(0, 10)} (${Math.ceil(-d)} d ago)`;
  return d <= 7 ? s.red(text) : d <= 30 ? s.yellow(text) : text;
}

function checkOf(s: Style, x: Subscription): string {
  if (x.check.state === "failing") return s.red(`failing: ${x.check.error ?? ""}`);
  if (x.check.state === "retrying") return s.yellow(`retrying: ${x.check.error ?? ""}`);
  if (x.check.state === "none")
    return s.dim(x.source === "mail" || (x.source === "auto" && x.kind === "hostname") ? "from mails" : "by hand");
  return s.green("ok");
}

/** A date as the service takes it: `2027-03-01` (midnight UTC) or a full ISO time. */
function isoOption(command: string, args: ParsedArgs, name: string): string | undefined {
  const v = stringOption(args, name);
  if (v === undefined || v === "none") return v;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw new UsageError(`${command}: --${name} must be a date (2027-03-01) or an ISO time, not ${JSON.stringify(v)}`);
  return new Date(t).toISOString();
}

/** `12 EUR` / `12EUR` / `12` (EUR). */
function costOption(command: string, args: ParsedArgs): { amount: number; currency: string } | "none" | undefined {
  const v = stringOption(args, "cost");
  if (v === undefined || v === "none") return v;
  const m = v.trim().match(/^(\d+(?:\.\d+)?)\s*([A-Za-z]{3})?$/);
  if (!m || !Currency.safeParse((m[2] ?? "EUR").toUpperCase()).success)
    throw new UsageError(`${command}: --cost must be an amount and a currency, e.g. "12 EUR"`);
  return { amount: Number(m[1]), currency: (m[2] ?? "EUR").toUpperCase() };
}

function enumOption<T extends string>(command: string, args: ParsedArgs, name: string, options: readonly T[]): T | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  if (!options.includes(v as T)) throw new UsageError(`${command}: --${name} must be one of ${options.join(", ")}`);
  return v as T;
}

function leadsOption(command: string, args: ParsedArgs): number[] | "none" | undefined {
  const v = stringOption(args, "lead");
  if (v === undefined || v === "none") return v;
  const xs = v.split(",").map((x) => Number(x.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x <= 0))
    throw new UsageError(`${command}: --lead must be whole days, comma-separated, e.g. 30,14,7,3,1`);
  return xs;
}

const FIELD_OPTIONS = {
  name: { type: "string", value: "NAME", description: "the domain, hostname, host:port of a certificate, or the plan's name" },
  provider: { type: "string", value: "SLUG", description: "noip, godaddy, cloudflare, letsencrypt … (default other)" },
  expires: { type: "string", value: "DATE", description: "the expiry, kept by hand (2027-03-01); `none` clears it" },
  notice: { type: "string", value: "DAYS", description: "the notice period: the last day to renew or cancel is DAYS before the expiry" },
  "notice-date": { type: "string", value: "DATE", description: "the last day to renew or cancel, as a date" },
  source: { type: "string", value: "SOURCE", description: `where the expiry is read: ${SourceChoice.options.join(", ")} (default auto)` },
  cost: { type: "string", value: "AMOUNT", description: 'what a renewal costs, e.g. "12 EUR"; `none` clears it' },
  period: { type: "string", value: "YEARS", description: "years a renewal adds (default 1)" },
  renewal: { type: "string", value: "MODE", description: `${RenewalMode.options.join(", ")} (default manual)` },
  lead: { type: "string", value: "DAYS", description: "lead times to warn at, e.g. 30,14,7,3,1; `none`: the configured ones" },
  notes: { type: "string", value: "TEXT", description: "the owner's notes" },
  link: { type: "string", value: "URL", description: "where to renew by hand" },
  ...BY_OPTION,
  ...JSON_OPTION,
} as const;

function render(s: Style, x: Subscription, out: { line(l: string): void }): void {
  out.line(`${s.bold(x.id)}  ${x.kind} ${x.name} at ${x.provider}`);
  out.line(
    `  expires   ${daysLeft(s, x.expiresAt)}${x.expirySource ? ` — from ${x.expirySource.kind}${x.expirySource.detail ? ` (${x.expirySource.detail})` : ""}, read ${when(x.expirySource.at)}` : ""}`,
  );
  if (x.noticeAt)
    out.line(`  notice    ${daysLeft(s, x.noticeAt)}${x.noticeDays !== undefined ? ` (${x.noticeDays} days before the expiry)` : ""}`);
  out.line(
    `  renewal   ${x.renewal}${x.cost ? `, ${x.cost.amount} ${x.cost.currency} for ${x.period} year(s)` : ""}; warned at ${x.leadDays.join(", ")} days`,
  );
  out.line(`  source    ${x.source}: ${checkOf(s, x)}${x.check.nextAt ? `, next read ${when(x.check.nextAt)}` : ""}`);
  if (x.renewalState) out.line(`  renewing  ${x.renewalState.state} since ${when(x.renewalState.since)}: ${x.renewalState.note}`);
  if (x.link) out.line(`  link      ${x.link}`);
  if (x.notes) out.line(`  notes     ${x.notes}`);
}

export const subs: Command = {
  name: "subs",
  summary: "the subscription register: domains, hostnames, certificates and plans, soonest expiry first",
  usage: "",
  details: [
    "Asks it-subscriptions. Each expiry is read from its source (RDAP, WHOIS, the certificate, the provider's",
    "API, NoIP's mails) or kept by hand; `lag subs show ID` says where it came from. Exit 1 when a date is",
    "within 7 days or passed.",
  ],
  options: {
    kind: { type: "string", value: "KIND", description: `only ${SubscriptionKind.options.join(", ")}` },
    due: { type: "string", value: "DAYS", description: "only those with a date within DAYS" },
    ...JSON_OPTION,
  },
  connects: true,
  examples: ["lag subs", "lag subs list --due 30", "lag subs list --kind domain --json"],
  async run({ args, out, bus: connect }) {
    const kind = enumOption("subs", args, "kind", SubscriptionKind.options);
    const due = integerOption("subs", args, "due", 0);
    const r = await (await connect()).request(subscriptionsService.endpoints.list, {
      ...(kind ? { kind } : {}),
      ...(due !== undefined ? { dueWithinDays: due } : {}),
    });
    const soon = r.subscriptions.some((x) => [x.expiresAt, x.noticeAt].some((d) => d && Date.parse(d) - Date.now() <= 7 * DAY));
    if (booleanOption(args, "json")) {
      out.prettyJson(r.subscriptions);
      return soon ? 1 : 0;
    }
    const s = out.style;
    const rows = r.subscriptions.map((x) => [
      x.id,
      `${x.kind} ${x.name}`,
      x.provider,
      daysLeft(s, x.expiresAt),
      x.expirySource?.kind ?? "-",
      x.noticeAt ? daysLeft(s, x.noticeAt) : "-",
      `${x.renewal}${x.cost ? ` ${x.cost.amount} ${x.cost.currency}` : ""}`,
      x.renewalState && !["done"].includes(x.renewalState.state) ? x.renewalState.state : checkOf(s, x),
    ]);
    if (rows.length === 0) out.note("the register is empty: lag subs add, or it.subscriptions.items in the config");
    else for (const l of table(["ID", "WHAT", "PROVIDER", "EXPIRES", "FROM", "NOTICE", "RENEWAL", "STATE"], rows, s.bold)) out.fitted(l);
    return soon ? 1 : 0;
  },
};

export const subsList: Command = { ...subs, name: "subs list", examples: ["lag subs list", "lag subs list --due 30 --json"] };

export const subsShow: Command = {
  name: "subs show",
  summary: "one subscription: its dates and where they came from, the renewal under way, the warnings given, its audit trail",
  usage: "ID",
  options: { ...JSON_OPTION },
  connects: true,
  examples: ["lag subs show lagrieta-es"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("subs show", args, "subscription id");
    const r = await (await connect()).request(subscriptionsService.endpoints.show, { id });
    if (booleanOption(args, "json")) {
      out.prettyJson(r);
      return 0;
    }
    const s = out.style;
    render(s, r.subscription, out);
    if (r.warned.length > 0)
      out.line(
        `  warned    ${r.warned.map((w) => `${w.date} ${w.leadDays === 0 ? "passed" : `${w.leadDays} d`} ${when(w.at)}`).join("; ")}`,
      );
    out.line("");
    out.line(s.bold("history"));
    for (const h of r.history) out.line(`  ${when(h.at)}  ${h.change.padEnd(17)} ${h.by.kind}:${h.by.name}  ${h.note}`);
    return 0;
  },
};

type Input = InferRequest<typeof subscriptionsService.endpoints.add>["subscription"];
type EditSet = InferRequest<typeof subscriptionsService.endpoints.edit>["set"];

/** The field options given, as `edit` takes them: each a value, or null where it says `none` (cleared). */
function fieldsOf(c: string, args: ParsedArgs): EditSet {
  const set: EditSet = {};
  for (const k of ["name", "provider"] as const) {
    const v = stringOption(args, k);
    if (v) set[k] = v;
  }
  for (const k of ["notes", "link"] as const) {
    const v = stringOption(args, k);
    if (v !== undefined) set[k] = v === "none" ? null : v;
  }
  const expires = isoOption(c, args, "expires");
  if (expires) set.expiresAt = expires === "none" ? null : expires;
  const notice = stringOption(args, "notice");
  if (notice !== undefined) set.noticeDays = notice === "none" ? null : (integerOption(c, args, "notice", 0) ?? null);
  const noticeAt = isoOption(c, args, "notice-date");
  if (noticeAt) set.noticeAt = noticeAt === "none" ? null : noticeAt;
  const source = enumOption(c, args, "source", SourceChoice.options);
  if (source) set.source = source;
  const cost = costOption(c, args);
  if (cost) set.cost = cost === "none" ? null : cost;
  const period = integerOption(c, args, "period", 1);
  if (period) set.period = period;
  const renewal = enumOption(c, args, "renewal", RenewalMode.options);
  if (renewal) set.renewal = renewal;
  const leads = leadsOption(c, args);
  if (leads) set.leadDays = leads === "none" ? null : leads;
  return set;
}

export const subsAdd: Command = {
  name: "subs add",
  summary: "add a subscription to the register (its source is read at once)",
  usage: "ID --kind KIND --name NAME [options]",
  options: { kind: { type: "string", value: "KIND", description: SubscriptionKind.options.join(", ") }, ...FIELD_OPTIONS },
  connects: true,
  examples: [
    'lag subs add lagrieta-es --kind domain --name lagrieta.es --provider godaddy --cost "12 EUR" --renewal approval',
    "lag subs add web-cert --kind certificate --name lagrieta.es:443",
    "lag subs add immich-plan --kind plan --name 'Immich Plus' --expires 2027-03-01 --notice 30",
  ],
  async run({ args, out, bus: connect }) {
    const c = "subs add";
    const id = onePositional(c, args, "subscription id");
    const kind = enumOption(c, args, "kind", SubscriptionKind.options);
    const { name, ...rest } = fieldsOf(c, args);
    if (!kind || !name) throw new UsageError(`${c}: --kind and --name are required`);
    // Nothing to clear in a new one: `none` leaves the field out.
    const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)) as Partial<Input>;
    const sub: Input = { id, kind, name, ...given };
    const r = await (await connect()).request(subscriptionsService.endpoints.add, { subscription: sub, by: personOption(args) });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else render(out.style, r, out);
    return 0;
  },
};

export const subsEdit: Command = {
  name: "subs edit",
  summary: "change a subscription's fields (`none` clears one); an expiry set here is kept by hand",
  usage: "ID [options]",
  options: FIELD_OPTIONS,
  connects: true,
  examples: [
    'lag subs edit lagrieta-es --cost "14 EUR"',
    "lag subs edit immich-plan --expires 2028-03-01",
    "lag subs edit web-cert --lead none",
  ],
  async run({ args, out, bus: connect }) {
    const c = "subs edit";
    const id = onePositional(c, args, "subscription id");
    const set = fieldsOf(c, args);
    if (Object.keys(set).length === 0) throw new UsageError(`${c}: nothing to change (see lag subs edit --help)`);
    const r = await (await connect()).request(subscriptionsService.endpoints.edit, { id, set, by: personOption(args) });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else render(out.style, r, out);
    return 0;
  },
};

export const subsRemove: Command = {
  name: "subs remove",
  summary: "remove a subscription from the register (its warnings are resolved)",
  usage: "ID",
  options: { ...BY_OPTION, ...JSON_OPTION },
  connects: true,
  examples: ["lag subs remove old-domain"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("subs remove", args, "subscription id");
    const r = await (await connect()).request(subscriptionsService.endpoints.remove, { id, by: personOption(args) });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else out.line(`removed ${r.id} (${r.kind} ${r.name})`);
    return 0;
  },
};

export const subsRenew: Command = {
  name: "subs renew",
  summary: "renew now: asked of CEO_LAG when it costs money, then by the provider's API or as a task for you",
  usage: "ID",
  options: {
    years: { type: "string", value: "N", description: "years to add (default: the subscription's period)" },
    ...BY_OPTION,
    ...JSON_OPTION,
  },
  connects: true,
  examples: ["lag subs renew lagrieta-es", "lag subs renew lagrieta-es --years 2"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("subs renew", args, "subscription id");
    const years = integerOption("subs renew", args, "years", 1);
    const r = await (await connect()).request(subscriptionsService.endpoints.renew, {
      id,
      ...(years ? { years } : {}),
      by: personOption(args),
    });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else out.line(`${r.id}: ${r.renewalState?.state ?? "?"} — ${r.renewalState?.note ?? ""}`);
    return 0;
  },
};

export const subsCheck: Command = {
  name: "subs check",
  summary: "read the source of one subscription (or of all) now",
  usage: "[ID]",
  options: { ...JSON_OPTION },
  connects: true,
  examples: ["lag subs check", "lag subs check lagrieta-es"],
  async run({ args, out, bus: connect }) {
    const id = args.positionals[0];
    const r = await (await connect()).request(subscriptionsService.endpoints.check, id ? { id } : {});
    if (booleanOption(args, "json")) out.prettyJson(r.subscriptions);
    else
      for (const x of r.subscriptions)
        out.line(`${x.id}: ${daysLeft(out.style, x.expiresAt)} from ${x.expirySource?.kind ?? "-"}; source ${checkOf(out.style, x)}`);
    return r.subscriptions.some((x) => x.check.state === "failing" || x.check.state === "retrying") ? 1 : 0;
  },
};

export const subsBootstrap: Command = {
  name: "subs bootstrap",
  summary: "the IANA RDAP bootstrap data in use (which registry serves which TLD); --refresh fetches it anew",
  usage: "",
  options: { refresh: { type: "boolean", description: "fetch IANA's current file first" }, ...JSON_OPTION },
  connects: true,
  examples: ["lag subs bootstrap", "lag subs bootstrap --refresh"],
  async run({ args, out, bus: connect }) {
    const r = await (await connect()).request(subscriptionsService.endpoints.bootstrap, { refresh: booleanOption(args, "refresh") });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else {
      out.line(
        `${r.origin} copy, published ${r.publication}, ${r.tlds} TLDs${r.fetchedAt ? `, fetched ${when(r.fetchedAt)}` : ""} (${r.url})`,
      );
      if (r.error) out.line(out.style.red(`not refreshed: ${r.error}`));
    }
    return r.error ? 1 : 0;
  },
};

export const subsIcs: Command = {
  name: "subs ics",
  summary: "every expiry and notice date as an iCalendar feed (to stdout, or --out FILE)",
  usage: "",
  options: { out: { type: "string", value: "FILE", description: "write it to FILE" } },
  connects: true,
  examples: ["lag subs ics > lag.ics", "lag subs ics --out /var/www/lag.ics"],
  async run({ args, out, bus: connect }) {
    const r = await (await connect()).request(subscriptionsService.endpoints.ics, {});
    const file = stringOption(args, "out");
    if (file) {
      writeFileSync(resolve(file), r.ics);
      out.note(`${r.events} dates written to ${resolve(file)}`);
    } else out.raw(r.ics);
    return 0;
  },
};
