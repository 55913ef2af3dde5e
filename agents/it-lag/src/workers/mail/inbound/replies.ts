/**
 * What a person's reply to one of LAG's mails says, read from what they wrote — never from the
 * quoted mail below it: a verdict on an approval, or an acknowledgement of an incident.
 */

/** An approval code as mailed, `K7Q2-9XMB`: eight of these letters and digits (no 0/O, 1/I/L). */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** `k7q29xmb`, `K7Q2-9XMB` → `K7Q29XMB`. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** Where the quoted original of a reply starts, in the clients people use. */
const QUOTE_START = [
  /^On .+ wrote:\s*$/i,
  /^El .+ escribió:\s*$/i,
  /^-{2,}\s*(Original Message|Mensaje original)\s*-{2,}/i,
  /^_{10,}\s*$/,
  /^(From|De): .+/i,
];

const VERDICT = /\b(APPROVE|DENY)\s+([A-Z0-9]{4}-?[A-Z0-9]{4})\b/gi;

/** The lines the author wrote: up to where the quoted original starts, without `>` lines. */
function ownLines(text: string): string[] {
  const own: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (QUOTE_START.some((q) => q.test(line.trim()))) break;
    if (line.trimStart().startsWith(">")) continue;
    own.push(line);
  }
  return own;
}

/** Whether the text (quoted parts included) names a verdict at all: such a mail is read as an approval reply. */
export function mentionsVerdict(text: string): boolean {
  return new RegExp(VERDICT.source, "i").test(text);
}

/** One verdict with its code. Nothing, or two different verdicts, is no decision. */
export function readVerdict(text: string): { decision: "approve" | "deny"; code: string } | { error: string } {
  const own = ownLines(text);
  const found = new Map<string, { decision: "approve" | "deny"; code: string }>();
  for (const m of own.join("\n").matchAll(VERDICT)) {
    const v = { decision: m[1]!.toLowerCase() as "approve" | "deny", code: normalizeCode(m[2]!) };
    found.set(`${v.decision} ${v.code}`, v);
  }
  if (found.size === 0) return { error: "no APPROVE or DENY followed by a code in the reply" };
  if (found.size > 1) return { error: `the reply says ${[...found.keys()].join(" and ")}: no decision` };
  return [...found.values()][0]!;
}

/** `ACK` (or `ACKNOWLEDGE`) first on one of the author's lines, and what follows it as the note. */
export function readAck(text: string): { note: string } | undefined {
  for (const line of ownLines(text)) {
    const m = line.match(/^\s*(?:ACK|ACKNOWLEDGE)\b[\s:,.-]*(.*)$/i);
    if (m) return { note: m[1]!.trim() };
  }
  return undefined;
}
