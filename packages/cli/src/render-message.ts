import type { MessageRecord } from "./inspect.ts";
import type { Style } from "./style.ts";
import { summarize } from "./summary.ts";

/** Local wall-clock time with milliseconds: messages a few ms apart stay in order for the eye. */
export function clock(iso: string): string {
  const d = new Date(iso);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function preview(body: string | undefined): string {
  if (body === undefined) return "";
  const oneLine = body.replace(/\s+/g, " ");
  return ` body: ${oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine}`;
}

function describe(r: MessageRecord, s: Style): string {
  const data = r.data !== undefined ? summarize(r.data) : "";
  if (!r.valid) {
    const what = r.kind === "dead-letter" ? "dead letter with bad headers" : r.kind === "event" ? "INVALID" : `INVALID ${r.kind}`;
    return `${s.red(`✗ ${what}${r.type ? ` ${r.type}` : ""}${r.code ? ` (${r.code})` : ""}: ${r.reason ?? ""}`)}${s.dim(preview(r.body))}`;
  }
  switch (r.kind) {
    case "event":
      return `${r.type} ${data}`;
    case "request":
      return `→ ${r.type} ${s.dim("request")} ${data}`;
    case "reply":
      return r.serviceError
        ? `← ${r.type} ${s.yellow(`error ${r.serviceError.code} ${r.serviceError.description}`)}`
        : `← ${r.type} ${s.dim("reply")} ${data}`;
    case "dead-letter": {
      const dl = r.deadLetter ?? {};
      const deliveries = dl.deliveries !== undefined ? ` after ${dl.deliveries} deliveries` : "";
      return `${s.yellow(`dead letter ${dl.code}`)} from ${dl.subject} (${dl.principal}${deliveries}): ${dl.reason}`;
    }
    case "other":
      return s.dim(`(not a LAG subject, not checked)${preview(r.body ?? (r.data !== undefined ? JSON.stringify(r.data) : undefined))}`);
  }
}

/** One line per message; with `full`, the message's JSON follows, indented. */
export function renderMessage(r: MessageRecord, s: Style, full: boolean): string[] {
  const corr = r.correlationid ? s.dim(` corr=${r.correlationid}`) : "";
  const head = `${s.dim(clock(r.time))} ${s.cyan(r.subject)} ${describe(r, s)}${corr}`;
  if (!full) return [head];
  const { time: _t, subject: _s, kind: _k, valid: _v, ...rest } = r;
  return [
    head,
    ...JSON.stringify(rest, null, 2)
      .split("\n")
      .map((l) => `    ${l}`),
  ];
}
