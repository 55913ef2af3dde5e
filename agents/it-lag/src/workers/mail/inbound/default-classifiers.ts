import type { ClassifierConfig } from "../config.ts";

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
