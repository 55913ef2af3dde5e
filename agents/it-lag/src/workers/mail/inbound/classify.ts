import type { ClassifierConfig } from "./classifier-config.ts";
import { noticeDate } from "./notice-date.ts";

/** What a mail says, by kind; `unclassified` says why not. */
export type Classified =
  | { kind: "noip-confirm"; classifier: string; hostname: string; deadline: string; link: string }
  | { kind: "domain-expiry"; classifier: string; domain: string; expiresAt: string }
  | { kind: "backup-report"; classifier: string; job: string; status: "success" | "warning" | "failure" }
  | { kind: "unclassified"; classifier?: string; reason: string };

export interface MailText {
  from: string;
  subject: string;
  text: string;
  date?: Date;
}

interface Compiled {
  cfg: ClassifierConfig;
  from: RegExp[];
  subject?: RegExp;
  body: RegExp[];
  optional: RegExp[];
}

const DAY = 86_400_000;

/** `*@noip.com` → a whole-address pattern, `*` any run of characters. */
function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")}$`,
  );
}

/**
 * The classifiers of the configuration, compiled once. A mail goes to the first whose sender
 * pattern and every required pattern match and whose fields make a whole event; a sender no
 * classifier names is not trusted, and its mail is only recorded.
 */
export class Classifiers {
  private readonly list: Compiled[];

  constructor(cfgs: readonly ClassifierConfig[]) {
    this.list = cfgs.map((cfg) => ({
      cfg,
      from: cfg.from.map(glob),
      ...(cfg.subject ? { subject: new RegExp(cfg.subject, "i") } : {}),
      body: cfg.body.map((b) => new RegExp(b, "i")),
      optional: cfg.optional.map((b) => new RegExp(b, "i")),
    }));
  }

  /** Whether some classifier trusts this sender. */
  trusts(address: string): boolean {
    return this.list.some((c) => c.from.some((f) => f.test(address.toLowerCase())));
  }

  classify(m: MailText): Classified {
    const from = m.from.toLowerCase();
    const candidates = this.list.filter((c) => c.from.some((f) => f.test(from)));
    if (candidates.length === 0) return { kind: "unclassified", reason: `sender ${from || "(none)"} is not trusted by any classifier` };
    let last: Classified | undefined;
    for (const c of candidates) {
      const fields: Record<string, string> = { ...c.cfg.set };
      const matched = (re: RegExp, text: string) => {
        const x = re.exec(text);
        if (x) Object.assign(fields, definedGroups(x));
        return x !== null;
      };
      if (c.subject && !matched(c.subject, m.subject)) continue;
      if (!c.body.every((b) => matched(b, m.text))) continue;
      for (const o of c.optional) matched(o, m.text);
      const made = build(c.cfg, fields, m.date);
      if (made.kind !== "unclassified") return made;
      last = made;
    }
    return last ?? { kind: "unclassified", reason: `no classifier of ${from} matched its subject and body` };
  }
}

function definedGroups(x: RegExpExecArray): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x.groups ?? {})) if (v !== undefined) out[k] = v.trim();
  return out;
}

function build(cfg: ClassifierConfig, f: Record<string, string>, date: Date | undefined): Classified {
  const no = (what: string): Classified => ({ kind: "unclassified", classifier: cfg.name, reason: `classifier ${cfg.name}: ${what}` });
  switch (cfg.kind) {
    case "noip-confirm": {
      if (!f.hostname) return no("no hostname found");
      if (!f.link) return no("no confirmation link found");
      let deadline = f.deadline ? noticeDate(f.deadline) : undefined;
      if (f.deadline && !deadline) return no(`the date "${f.deadline}" is not understood`);
      if (!deadline && f.days && date) deadline = new Date(date.getTime() + Number(f.days) * DAY);
      if (!deadline) return no("no deadline found");
      return {
        kind: "noip-confirm",
        classifier: cfg.name,
        hostname: f.hostname.toLowerCase(),
        deadline: deadline.toISOString(),
        link: f.link,
      };
    }
    case "domain-expiry": {
      if (!f.domain) return no("no domain found");
      const at = f.date ? noticeDate(f.date) : undefined;
      if (!at) return no(f.date ? `the date "${f.date}" is not understood` : "no expiry date found");
      return { kind: "domain-expiry", classifier: cfg.name, domain: f.domain.toLowerCase(), expiresAt: at.toISOString() };
    }
    case "backup-report": {
      if (!f.job) return no("no job name found");
      const status = /^(success|ok|completed|succeeded)$/i.test(f.status ?? "")
        ? "success"
        : /^(warning|partial)/i.test(f.status ?? "")
          ? "warning"
          : /^(fail|failed|failure|error)/i.test(f.status ?? "")
            ? "failure"
            : undefined;
      if (!status) return no(`status "${f.status ?? ""}" is not success, warning or failure`);
      return { kind: "backup-report", classifier: cfg.name, job: f.job, status };
    }
  }
}
