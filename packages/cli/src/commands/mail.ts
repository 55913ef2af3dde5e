import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { mailService, OutgoingMail } from "@lag/contracts";
import { booleanOption, integerOption, listOption, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { table } from "../table.ts";
import { ago } from "../times.ts";

export const mailTest: Command = {
  name: "mail test",
  summary: "send a test mail through IT_LAG's SMTP server and wait for it to be taken",
  usage: "",
  details: [
    "Queued like every mail of it-mail, then sent; waits up to 20 s for the SMTP server's answer.",
    "Exit 0 when it was taken, 1 when it is still queued (the error says why) or was refused.",
  ],
  options: {
    to: {
      type: "string",
      multiple: true,
      value: "ADDR",
      description: "send to this address instead of it.mail.to; repeat (or comma-separate) for several",
    },
    json: { type: "boolean", description: "the reply as JSON" },
  },
  connects: true,
  examples: ["lag mail test", "lag mail test --to ana@lagrieta.es"],
  async run({ args, out, bus: connect }) {
    const to = listOption(args, "to");
    const r = await (await connect()).request(mailService.endpoints.test, to ? { to } : {});
    if (booleanOption(args, "json")) out.prettyJson(r);
    else if (r.status === "sent") out.line(`${out.style.green("sent")} to ${r.to.join(", ")} (${r.messageId})`);
    else out.line(`${out.style.red(r.status)} — ${r.error ?? "no answer from the SMTP server yet"}; see lag mail queue`);
    return r.status === "sent" ? 0 : 1;
  },
};

export const mailDigest: Command = {
  name: "mail digest",
  summary: "today's digest (or this week's summary) as it would be mailed: --preview shows it, --send mails it now",
  usage: "",
  options: {
    preview: { type: "boolean", description: "show it without sending (the default)" },
    send: { type: "boolean", description: "queue it for sending now (once a day: a second --send the same day is a no-op)" },
    weekly: { type: "boolean", description: "the weekly summary instead" },
    html: { type: "string", value: "FILE", description: "write the HTML part to FILE (open it in a browser)" },
    json: { type: "boolean", description: "the reply as JSON: {subject, text, html, quiet}" },
  },
  connects: true,
  examples: ["lag mail digest --preview", "lag mail digest --preview --html /tmp/digest.html", "lag mail digest --weekly --send"],
  async run({ args, out, bus: connect }) {
    const send = booleanOption(args, "send");
    if (send && booleanOption(args, "preview")) throw new UsageError("mail digest: --preview or --send, not both");
    const r = await (await connect()).request(mailService.endpoints.digest, {
      kind: booleanOption(args, "weekly") ? "weekly" : "daily",
      send,
    });
    const file = stringOption(args, "html");
    if (file) writeFileSync(resolve(file), r.html);
    if (booleanOption(args, "json")) out.prettyJson(r);
    else {
      out.line(out.style.bold(`Subject: ${r.subject}`));
      out.line("");
      for (const l of r.text.split("\n")) out.line(l);
    }
    if (file) out.note(`HTML written to ${resolve(file)}`);
    if (r.queued) out.note(`queued as ${r.queued}`);
    else if (send) out.note("not queued: it.mail.to is empty, or this one was queued already");
    return 0;
  },
};

export const mailQueue: Command = {
  name: "mail queue",
  summary: "IT_LAG's outgoing mail: what waits (and why), what was sent, what the server refused",
  usage: "",
  options: {
    state: { type: "string", value: "STATE", description: `only ${OutgoingMail.shape.state.options.join(", ")}` },
    limit: { type: "string", value: "N", description: "at most N (default 50)" },
    json: { type: "boolean", description: "the reply as JSON" },
  },
  connects: true,
  examples: ["lag mail queue", "lag mail queue --state queued"],
  async run({ args, out, bus: connect }) {
    const given = stringOption(args, "state");
    const state = given === undefined ? undefined : OutgoingMail.shape.state.safeParse(given);
    if (state && !state.success) throw new UsageError(`mail queue: --state must be one of ${OutgoingMail.shape.state.options.join(", ")}`);
    const limit = integerOption("mail queue", args, "limit", 1) ?? 50;
    const r = await (await connect()).request(mailService.endpoints.queue, { ...(state?.data ? { state: state.data } : {}), limit });
    if (booleanOption(args, "json")) {
      out.prettyJson(r);
      return 0;
    }
    const s = out.style;
    const rows = r.mails.map((m) => [
      m.id,
      m.state === "sent" ? s.green(m.state) : m.state === "queued" ? s.yellow(m.state) : s.red(m.state),
      m.purpose,
      String(m.attempts),
      `${ago(m.queuedAt)} ago`,
      m.subject,
      m.state === "sent" ? "" : (m.lastError ?? ""),
    ]);
    if (rows.length === 0) out.note("no mail");
    else for (const l of table(["ID", "STATE", "PURPOSE", "TRIES", "QUEUED", "SUBJECT", "LAST ERROR"], rows, s.bold)) out.fitted(l);
    out.note(`${r.queued} waiting to be sent`);
    return 0;
  },
};
