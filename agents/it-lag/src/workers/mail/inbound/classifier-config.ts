import { z } from "zod";
import { Slug } from "@lag/contracts";

/** A named group of a pattern becomes a field: `(?<hostname>…)`, `(?<deadline>…)`, `(?<days>\d+)` … */
export const ClassifierConfig = z
  .strictObject({
    name: Slug,
    kind: z.enum(["noip-confirm", "domain-expiry", "backup-report"]),
    /** Sender addresses, `*` any run of characters: `*@noip.com`. A match is also what makes the sender trusted. */
    from: z.array(z.string().min(3)).min(1),
    /** Regular expressions (case-insensitive) the subject and the body must all match; their named groups are the fields. */
    subject: z.string().optional(),
    body: z.array(z.string()).default([]),
    /** Tried on the body too, their groups taken when they match: what a mail may or may not say. */
    optional: z.array(z.string()).default([]),
    /** Fields fixed by the classifier itself: `status: failure`. */
    set: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((c, ctx) => {
    const patterns: [string, (string | number)[]][] = [
      ...(c.subject ? [[c.subject, ["subject"]] as [string, (string | number)[]]] : []),
      ...c.body.map((b, i) => [b, ["body", i]] as [string, (string | number)[]]),
      ...c.optional.map((b, i) => [b, ["optional", i]] as [string, (string | number)[]]),
    ];
    if (!c.subject && c.body.length === 0) ctx.addIssue({ code: "custom", message: "give a subject or body pattern", path: ["subject"] });
    for (const [p, path] of patterns) {
      try {
        new RegExp(p, "i");
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `not a regular expression: ${(err as Error).message}`, path });
      }
    }
  });
export type ClassifierConfig = z.infer<typeof ClassifierConfig>;

/** A date as notices write it: 2026-12-08, 12/08/2026, December 8, 2026, Dec 8 2026, 8 December 2026. */
const DATE = String.raw`(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8},? \d{4})`;
const HOST = String.raw`[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+`;

/**
 * What LAG understands without configuration (`it.mail.defaultClassifiers: false` turns them off).
 * Each is tested on a real-shaped sample in `test/mail-samples/`.
 */
export const DEFAULT_CLASSIFIERS: ClassifierConfig[] = [
  {
    // "ACTION REQUIRED: lagrieta.ddns.net is Expiring Soon": a free hostname must be confirmed every 30 days.
    name: "noip",
    kind: "noip-confirm",
    from: ["*@noip.com", "*@*.noip.com"],
    subject: String.raw`(?<hostname>${HOST})\s+(?:is\s+Expiring\s+Soon|has\s+Expired)`,
    body: [String.raw`(?<link>https://(?:www\.|my\.)?noip\.com/[^\s"'<>\]]*confirm[^\s"'<>\]]*)`],
    optional: [String.raw`expires?\s+in\s+(?<days>\d+)\s+days?`, String.raw`expir\w*\s+(?:on|date:?)\s+(?<deadline>${DATE})`],
    // NoIP writes seven days ahead when the text does not say.
    set: { days: "7" },
  },
  {
    // "Renewal notice: lagrieta.es expires soon", "… will expire on 12/15/2026".
    name: "godaddy",
    kind: "domain-expiry",
    from: ["*@godaddy.com", "*@*.godaddy.com"],
    subject: "renew|expir",
    body: [String.raw`(?<domain>${HOST})\b[^\n]{0,80}?\b(?:expires?|expiration date|will expire)\b[:\s]+(?:on\s+)?(?<date>${DATE})`],
    optional: [],
    set: {},
  },
];
