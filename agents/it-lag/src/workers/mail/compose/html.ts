/**
 * The pieces LAG's mails are built of, as mail clients want them: tables for layout, every style
 * inline, no external images or fonts, a 600 px column, a hidden preheader (the line a client
 * shows beside the subject).
 */

export type Tone = "ok" | "warn" | "bad" | "muted";

const TONES: Record<Tone, { fg: string; bg: string }> = {
  ok: { fg: "#116329", bg: "#dafbe1" },
  warn: { fg: "#7d4e00", bg: "#fff1c2" },
  bad: { fg: "#a40e26", bg: "#ffe3e6" },
  muted: { fg: "#57606a", bg: "#eaeef2" },
};

const FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A coloured label: `critical`, `red`, `ok`. */
export function badge(text: string, tone: Tone): string {
  const t = TONES[tone];
  return `<span style="display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:${t.fg};background:${t.bg}">${esc(text)}</span>`;
}

/** A section: its title and rows of [label, value] (values are HTML, labels text; no label: the value takes the row). */
export function section(title: string, rows: readonly (readonly [string, string])[], empty?: string): string {
  const body =
    rows.length === 0
      ? `<tr><td colspan="2" style="padding:6px 0;color:#57606a;font-size:14px">${esc(empty ?? "nothing")}</td></tr>`
      : rows
          .map(([label, value]) =>
            label === ""
              ? `<tr><td colspan="2" style="padding:6px 0;vertical-align:top;font-size:14px;color:#24292f">${value}</td></tr>`
              : `<tr><td style="padding:6px 12px 6px 0;vertical-align:top;font-size:14px;color:#24292f;width:40%">${esc(label)}</td>` +
                `<td style="padding:6px 0;vertical-align:top;font-size:14px;color:#24292f">${value}</td></tr>`,
          )
          .join("");
  return (
    `<tr><td style="padding:18px 24px 4px 24px"><h2 style="margin:0 0 6px 0;font-size:16px;color:#24292f;${FONT}">${esc(title)}</h2>` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;${FONT}">${body}</table></td></tr>`
  );
}

/** A paragraph of text inside the column. */
export function paragraph(html: string): string {
  return `<tr><td style="padding:12px 24px;font-size:14px;line-height:1.5;color:#24292f;${FONT}">${html}</td></tr>`;
}

/** A whole mail: a header band with the title, a summary line, the sections, a footer. */
export function page(o: { title: string; summary: string; tone: Tone; body: string; footer: string }): string {
  const t = TONES[o.tone];
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${esc(o.title)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f6f8fa">`,
    `<div style="display:none;max-height:0;overflow:hidden;color:#f6f8fa">${esc(o.summary)}</div>`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f6f8fa"><tr><td align="center" style="padding:16px 8px">`,
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #d0d7de;border-radius:8px;border-collapse:separate;${FONT}">`,
    `<tr><td style="padding:20px 24px;border-bottom:4px solid ${t.fg};border-radius:8px 8px 0 0">`,
    `<div style="font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#57606a">LAG · IT_LAG</div>`,
    `<h1 style="margin:4px 0 8px 0;font-size:20px;color:#24292f">${esc(o.title)}</h1>`,
    `<div style="font-size:15px;color:${t.fg};font-weight:600">${esc(o.summary)}</div></td></tr>`,
    o.body,
    `<tr><td style="padding:16px 24px 20px 24px;border-top:1px solid #d0d7de;font-size:12px;color:#57606a">${o.footer}</td></tr>`,
    "</table></td></tr></table></body></html>",
  ].join("\n");
}

/** Inline code for a command to type. */
export function code(s: string): string {
  return `<code style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#eaeef2;padding:1px 4px;border-radius:4px">${esc(s)}</code>`;
}

/** `2026-12-01 06:30 UTC`: a time as the mails write it. */
export function utc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
