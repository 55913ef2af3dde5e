import type { Subscription } from "@lag/contracts";
import { datesOf } from "./register.ts";

/** RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped. */
function text(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Lines longer than 75 octets folded (CRLF and a space), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const out: string[] = [];
  let cur = "";
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (octets + n > (out.length === 0 ? 75 : 74)) {
      out.push(cur);
      cur = "";
      octets = 0;
    }
    cur += ch;
    octets += n;
  }
  out.push(cur);
  return out.join("\r\n ");
}

const day = (iso: string) => iso.slice(0, 10).replace(/-/g, "");
const stamp = (d: Date) =>
  `${d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "")}`;

/**
 * The register as an iCalendar feed: an all-day event on every expiry and notice date (UIDs stable
 * across calls, so a calendar that subscribes updates them in place), with an alarm at the
 * subscription's first lead time and on the day.
 */
export function calendar(subs: readonly Subscription[], host: string, now: Date): { ics: string; events: number } {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:-//LaGrieta//LAG subscriptions ${host}//EN`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:LAG subscriptions (${host})`,
  ];
  let events = 0;
  for (const s of subs) {
    for (const { date, at } of datesOf(s)) {
      const next = new Date(Date.parse(at.slice(0, 10)) + 86_400_000).toISOString();
      const what = date === "expiry" ? `${s.name} expires` : `${s.name}: last day to renew or cancel`;
      const cost = s.cost ? ` ${s.cost.amount} ${s.cost.currency}.` : "";
      const description = `${s.kind} at ${s.provider}; renewal ${s.renewal}.${cost}${s.expirySource ? ` Date from ${s.expirySource.kind}.` : ""}${s.notes ? ` ${s.notes}` : ""}`;
      lines.push(
        "BEGIN:VEVENT",
        `UID:${s.id}-${date}@lag.${host}`,
        `DTSTAMP:${stamp(now)}`,
        `DTSTART;VALUE=DATE:${day(at)}`,
        `DTEND;VALUE=DATE:${day(next)}`,
        `SUMMARY:${text(what)}`,
        `DESCRIPTION:${text(description)}`,
        ...(s.link ? [`URL:${s.link}`] : []),
        `CATEGORIES:${text(s.kind)}`,
        "TRANSP:TRANSPARENT",
      );
      for (const lead of [...new Set([Math.max(...s.leadDays), 0])])
        lines.push(
          "BEGIN:VALARM",
          "ACTION:DISPLAY",
          `DESCRIPTION:${text(what)}`,
          `TRIGGER:${lead === 0 ? "PT0S" : `-P${lead}D`}`,
          "END:VALARM",
        );
      lines.push("END:VEVENT");
      events++;
    }
  }
  lines.push("END:VCALENDAR");
  return { ics: `${lines.map(fold).join("\r\n")}\r\n`, events };
}
