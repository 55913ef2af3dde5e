import type { Actor, MailIn, Subscription } from "@lag/contracts";
import type { Register } from "./register.ts";

const BY: Actor = { kind: "worker", name: "it-mail" };

/** A hostname's id: `lagrieta.ddns.net` → `lagrieta-ddns-net`. */
export function idOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * What the mail worker read: NoIP's "confirm your hostname" mail sets the hostname's deadline (and
 * the link that confirms it; a hostname not yet in the register is added, with the configured lead times), a registrar's notice
 * the domain's expiry. Returns the subscription changed, if any.
 */
export function fromMail(m: MailIn, register: Register, now: Date, defaultLeads: readonly number[]): Subscription | undefined {
  if (m.kind === "noip-confirm") {
    const found = register.all().find((s) => s.kind === "hostname" && s.name.toLowerCase() === m.hostname.toLowerCase());
    const source = { kind: "mail" as const, at: now.toISOString(), detail: `${m.from}: ${m.subject}` };
    if (!found) {
      const iso = now.toISOString();
      return register.save(
        {
          id: idOf(m.hostname),
          kind: "hostname",
          name: m.hostname,
          provider: "noip",
          expiresAt: m.deadline,
          expirySource: source,
          source: "mail",
          period: 1,
          renewal: "manual",
          leadDays: [...defaultLeads],
          link: m.link,
          check: { state: "none" },
          origin: "mail",
          createdAt: iso,
          updatedAt: iso,
        },
        { change: "added", by: BY, note: `NoIP asks to confirm ${m.hostname} by ${m.deadline.slice(0, 10)} (${m.link})` },
      );
    }
    if (found.expiresAt === m.deadline && found.link === m.link) return undefined;
    return register.save(
      { ...found, expiresAt: m.deadline, expirySource: source, link: m.link },
      {
        change: "expiry-changed",
        by: BY,
        note: `NoIP asks to confirm ${m.hostname} by ${m.deadline.slice(0, 10)}: ${m.link}`,
        ...(found.expiresAt ? { previousExpiresAt: found.expiresAt } : {}),
      },
    );
  }
  if (m.kind === "domain-expiry") {
    const found = register.all().find((s) => s.kind === "domain" && s.name.toLowerCase() === m.domain.toLowerCase());
    if (!found || found.expiresAt === m.expiresAt) return undefined;
    return register.save(
      { ...found, expiresAt: m.expiresAt, expirySource: { kind: "mail", at: now.toISOString(), detail: `${m.from}: ${m.subject}` } },
      {
        change: "expiry-changed",
        by: BY,
        note: `a notice from ${m.from} says ${m.expiresAt.slice(0, 10)}`,
        ...(found.expiresAt ? { previousExpiresAt: found.expiresAt } : {}),
      },
    );
  }
  return undefined;
}
