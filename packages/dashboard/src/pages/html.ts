/** Text made safe to put in HTML, inside an element or an attribute. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Data handed to the page's script in a `<script type="application/json">` block (not executed; `<` escaped). */
export function dataBlock(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, "\\u003c")}</script>`;
}

const NAV: [string, string][] = [
  ["/", "Overview"],
  ["/incidents", "Incidents"],
  ["/approvals", "Approvals"],
  ["/history", "History"],
  ["/uptime", "Uptime"],
  ["/events", "Events"],
  ["/silences", "Silences"],
];

/**
 * A page: the nav, the user and their role, the CSRF token for the script's requests, the data
 * it starts from; the script (`/assets/app.js`) draws the rest and keeps it live.
 */
export function shell(o: {
  title: string;
  page: string;
  user?: { name: string; role: string };
  csrf?: string;
  data?: unknown;
  body?: string;
  /** More of the head: a page's own stylesheet and library. */
  head?: string;
}): string {
  const current = o.page === "overview" ? "/" : o.page === "incident" ? "/incidents" : `/${o.page}`;
  const nav = o.user
    ? `<nav>${[...NAV, ...(o.user.role === "admin" ? [["/sessions", "Sessions"] as [string, string]] : [])].map(([href, label]) => `<a href="${href}"${href === current ? ' aria-current="page"' : ""}>${label}</a>`).join("")}<span class="who">${esc(o.user.name)} · ${esc(o.user.role)}</span><form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="${esc(o.csrf ?? "")}"><button type="submit">Log out</button></form></nav>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
${o.csrf ? `<meta name="csrf" content="${esc(o.csrf)}">` : ""}
${o.user ? `<meta name="role" content="${esc(o.user.role)}">` : ""}
<title>${esc(o.title)} · LAG</title>
<link rel="stylesheet" href="/assets/app.css">
${o.head ?? ""}
</head>
<body data-page="${esc(o.page)}">
<header><a class="brand" href="/">LAG · Kronos</a>${nav}</header>
<main id="main">${o.body ?? ""}</main>
${o.data === undefined ? "" : dataBlock("data", o.data)}
<script src="/assets/app.js" defer></script>
</body>
</html>`;
}

export function loginPage(o: { error?: string; user?: string; next?: string }): string {
  return shell({
    title: "Log in",
    page: "login",
    body: `<form method="post" action="/login${o.next ? `?next=${encodeURIComponent(o.next)}` : ""}" class="login">
<h1>Log in</h1>
${o.error ? `<p class="error" role="alert">${esc(o.error)}</p>` : ""}
<label>User <input name="user" autocomplete="username" required value="${esc(o.user ?? "")}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form>`,
  });
}
