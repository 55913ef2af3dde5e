// The status page's one script: draws each page from the JSON the server hands it and keeps the
// overview live over server-sent events. No framework, no build step, nothing from elsewhere.

const csrf = document.querySelector('meta[name="csrf"]')?.content ?? "";
// Only which buttons to show: the server checks every action against the role itself.
const role = document.querySelector('meta[name="role"]')?.content ?? "viewer";
const may = {
  decide: role === "approver" || role === "admin",
  annotate: role === "approver" || role === "admin",
  resolve: role === "admin",
};

/** Escapes a value for HTML; `raw(...)` marks markup made here as safe. */
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
class Raw {
  constructor(s) {
    this.s = s;
  }
}
const raw = (s) => new Raw(s);
/** A template whose interpolations are escaped unless raw (arrays are joined). */
const h = (strings, ...values) =>
  raw(
    strings.reduce((out, s, i) => {
      if (i === 0) return s;
      const v = values[i - 1];
      const text = Array.isArray(v) ? v.map((x) => (x instanceof Raw ? x.s : esc(x))).join("") : v instanceof Raw ? v.s : esc(v);
      return out + text + s;
    }, ""),
  );

const bytes = (n) => {
  if (n === undefined || n === null) return "–";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${u[i]}`;
};
const pct = (n) => (n === undefined || n === null ? "–" : `${n.toFixed(1)} %`);
const ago = (iso) => {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
};
const level = (p, warn, bad) => (p >= bad ? "bad" : p >= warn ? "warn" : "ok");
const sevClass = (s) => `sev sev-${s}`;

async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json", "x-csrf-token": csrf },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  return data;
}

function show(node) {
  document.getElementById("main").innerHTML = node.s;
  // Widths through the CSSOM: the page's CSP allows no inline style attributes.
  for (const el of document.querySelectorAll("[data-pct]")) el.style.width = `${el.dataset.pct}%`;
}

function flash(text, bad) {
  const f = document.getElementById("flash");
  if (!f) return;
  f.textContent = text;
  f.className = bad ? "flash bad" : "flash ok";
}

// ——— overview ———

function hostCard(x) {
  return h`<article class="card host" data-host="${x.host}">
<h3>${x.host} <small>seen ${ago(x.time)}</small></h3>
<dl>
<dt>CPU</dt><dd class="${level(x.cpuPct, 80, 95)}">${pct(x.cpuPct)}</dd>
<dt>Memory</dt><dd class="${level(x.memPct, 85, 95)}">${pct(x.memPct)} <small>of ${bytes(x.memTotalBytes)}</small></dd>
<dt>Load</dt><dd>${x.load.map((l) => l.toFixed(2)).join(" · ")}</dd>
${x.maxCelsius === undefined ? raw("") : h`<dt>Temperature</dt><dd class="${level(x.maxCelsius, 75, 85)}">${x.maxCelsius.toFixed(0)} °C</dd>`}
<dt>Network</dt><dd>↓ ${bytes(x.rxBytesPerSec)}/s ↑ ${bytes(x.txBytesPerSec)}/s</dd>
</dl>
<ul class="mounts">${x.filesystems.map(
    (f) =>
      h`<li><span class="mount">${f.mount}${f.role ? h` <small>${f.role}</small>` : ""}</span><span class="bar ${level(f.usedPct, 85, 95)}"><span data-pct="${Math.min(100, f.usedPct).toFixed(1)}"></span></span><span>${pct(f.usedPct)} · ${bytes(f.freeBytes)} free${f.trend ? h` <small class="trend">${f.trend.deltaPct >= 0 ? "+" : ""}${f.trend.deltaPct.toFixed(1)} pts in ${f.trend.days < 1.5 ? `${Math.round(f.trend.days * 24)} h` : `${Math.round(f.trend.days)} d`}${f.trend.fullInDays === undefined ? "" : `, full in ~${Math.round(f.trend.fullInDays)} d`}</small>` : ""}</span></li>`,
  )}</ul>
${nasList(x)}
</article>`;
}

/** A NAS's disks, arrays, dynamic-DNS client and jobs, one line each; nothing for a host that has none. */
function nasList(x) {
  const items = [
    ...(x.disks ?? []).map((d) => {
      const state = d.error ? "unreadable" : d.passed === false ? "FAILING" : d.passed ? "passed" : "–";
      const bad = d.error || d.passed === false;
      const warn = (d.pendingSectors ?? 0) > 0 || (d.mediaErrors ?? 0) > 0;
      return h`<li class="${bad ? "bad" : warn ? "warn" : ""}" data-disk="${d.device}">${d.device} <small>SMART ${state}${d.temperatureC === undefined ? "" : ` · ${d.temperatureC} °C`}${d.pendingSectors ? ` · ${d.pendingSectors} pending` : ""}</small></li>`;
    }),
    ...(x.raid ?? []).map(
      (a) =>
        h`<li class="${a.degraded ? "bad" : ""}" data-raid="${a.array}">${a.array} <small>${a.level ?? ""} ${a.degraded ? "DEGRADED" : a.state} ${a.activeDevices}/${a.devices}${a.sync ? ` · ${a.sync.action} ${a.sync.pct}%` : ""}</small></li>`,
    ),
    ...(x.dynDns
      ? [
          h`<li class="${x.dynDns.ok ? "" : "bad"}">No-IP <small>${x.dynDns.ok ? "ok" : "failing"}${x.dynDns.at ? ` · ${ago(x.dynDns.at)}` : ""}</small></li>`,
        ]
      : []),
    ...(x.jobs ?? []).map(
      (j) =>
        h`<li class="${j.ok === false ? "bad" : j.overdue ? "warn" : ""}" data-job="${j.name}">${j.name} <small>${j.ok === false ? "failed" : j.overdue ? "overdue" : j.ok ? "ok" : "no verdict"}${j.lastRun ? ` · ${ago(j.lastRun)}` : ""}</small></li>`,
    ),
  ];
  return items.length === 0 ? raw("") : h`<ul class="nas">${items}</ul>`;
}

function containerRow(c) {
  const bad = c.state !== "running" || c.health === "unhealthy";
  return h`<tr class="${bad ? "bad" : ""}" data-container="${c.host}/${c.name}"><td>${c.name}</td><td>${c.host}</td><td>${c.state}</td><td class="health-${c.health}">${c.health}</td><td>${c.restarts}</td><td>${pct(c.cpuPct)}</td><td>${pct(c.memPct)}</td></tr>`;
}

function checkRow(c) {
  return h`<tr class="${c.ok ? "" : "bad"}"><td>${c.check}</td><td>${c.kind}</td><td>${c.target}</td><td>${c.ok ? "up" : "DOWN"}</td><td>${c.latencyMs === undefined ? "–" : `${c.latencyMs.toFixed(0)} ms`}</td><td>${c.detail ?? ""}</td></tr>`;
}

function renderOverview(o) {
  const bySev = (xs) =>
    ["critical", "high", "medium", "low"].map((s) => [s, xs.filter((x) => x.severity === s).length]).filter(([, n]) => n > 0);
  const sick = o.containers.filter((c) => c.state !== "running" || c.health === "unhealthy");
  const down = o.checks.filter((c) => !c.ok);
  const allWell = o.alerts.length === 0 && o.incidents.length === 0 && sick.length === 0 && down.length === 0;
  const firing = bySev(o.alerts);
  const problems = [
    o.alerts.length > 0
      ? `${o.alerts.length} alert${o.alerts.length === 1 ? "" : "s"} firing (${firing.map(([s, n]) => `${n} ${s}`).join(", ")})`
      : "",
    o.incidents.length > 0 ? `${o.incidents.length} incident${o.incidents.length === 1 ? "" : "s"} open` : "",
    sick.length > 0 ? `container${sick.length === 1 ? "" : "s"} not well: ${sick.map((c) => c.name).join(", ")}` : "",
    down.length > 0 ? `check${down.length === 1 ? "" : "s"} down: ${down.map((c) => c.check).join(", ")}` : "",
  ].filter(Boolean);
  show(h`
<section class="banner ${allWell ? "ok" : "bad"}" id="banner">
<span>${allWell ? "All is well." : `${problems.join("; ")}.`}</span>
<small>Updated ${new Date(o.at).toLocaleTimeString()}</small>
</section>
${o.missing.filter((m) => !/^(backups|subscriptions):/.test(m)).length > 0 ? h`<p class="note">Not shown: ${o.missing.filter((m) => !/^(backups|subscriptions):/.test(m)).join("; ")}</p>` : ""}
<section><h2>Hosts</h2><div class="cards">${o.hosts.length === 0 ? h`<p class="note">No host has reported yet.</p>` : o.hosts.map(hostCard)}</div></section>
<section><h2>Incidents</h2>${
    o.incidents.length === 0
      ? h`<p class="note">No open incident.</p>`
      : h`<ul class="list">${o.incidents.map((i) => h`<li><span class="${sevClass(i.severity)}">${i.severity}</span> <a href="/incidents/${encodeURIComponent(i.id)}">${i.title}</a> <small>${i.host} · ${i.state} · opened ${ago(i.openedAt)}</small></li>`)}</ul>`
  }</section>
<section><h2>Alerts firing</h2>${
    o.alerts.length === 0
      ? h`<p class="note">None.</p>`
      : h`<ul class="list">${o.alerts.map((a) => h`<li><span class="${sevClass(a.severity)}">${a.severity}</span> ${a.summary} <small>${a.host} · ${a.rule} · since ${ago(a.startsAt)}</small></li>`)}</ul>`
  }</section>
<section><h2>Waiting for a decision</h2>${
    o.approvals.length === 0
      ? h`<p class="note">Nothing waits.</p>`
      : h`<ul class="list">${o.approvals.map((a) => h`<li><a href="/approvals">${a.request.evidence.summary}</a> <small>${a.request.requester}${a.request.cost ? ` · ${a.request.cost.amount} ${a.request.cost.currency}` : ""} · expires ${new Date(a.request.expiresAt).toLocaleString()}</small></li>`)}</ul>`
  }</section>
<section><h2>Containers</h2>${
    o.containers.length === 0
      ? h`<p class="note">${o.docker.some((d) => !d.available) ? `Docker does not answer: ${o.docker.map((d) => d.error).join("; ")}` : "No container reported."}</p>`
      : h`<div class="scroll"><table><thead><tr><th>Name</th><th>Host</th><th>State</th><th>Health</th><th>Restarts</th><th>CPU</th><th>Memory</th></tr></thead><tbody>${o.containers.map(containerRow)}</tbody></table></div>`
  }</section>
<section><h2>Checks</h2>${
    o.checks.length === 0
      ? h`<p class="note">No service check reported.</p>`
      : h`<div class="scroll"><table><thead><tr><th>Check</th><th>Kind</th><th>Target</th><th>State</th><th>Latency</th><th>Detail</th></tr></thead><tbody>${o.checks.map(checkRow)}</tbody></table></div>`
  }</section>
<section><h2>Backups</h2>${
    o.backups === undefined
      ? h`<p class="note">Not configured (it-backup does not answer).</p>`
      : o.backups.length === 0
        ? h`<p class="note">No plan.</p>`
        : h`<ul class="list">${o.backups.map((p) => h`<li><span class="rpo rpo-${p.rpo}">${p.rpo}</span> ${p.plan} <small>${p.lastSuccess ? `last good ${ago(p.lastSuccess)}` : "never succeeded"}${p.lastDrill ? ` · drill ${p.lastDrill.passed ? "passed" : "FAILED"} ${ago(p.lastDrill.at)}` : ""}</small></li>`)}</ul>`
  }</section>
<section><h2>Subscriptions due</h2>${
    o.subscriptions === undefined
      ? h`<p class="note">Not configured (it-subscriptions does not answer).</p>`
      : o.subscriptions.length === 0
        ? h`<p class="note">Nothing due within 60 days.</p>`
        : h`<ul class="list">${o.subscriptions.map((s) => h`<li>${s.kind} ${s.name} <small>${s.expiresAt ? `expires ${s.expiresAt.slice(0, 10)} (from ${s.expirySource?.kind ?? "?"})` : "no date"}${s.renewalState && s.renewalState.state !== "done" ? ` · renewal ${s.renewalState.state}` : ""}</small></li>`)}</ul>`
  }</section>`);
}

function overviewPage() {
  const data = document.getElementById("data");
  if (data) renderOverview(JSON.parse(data.textContent));
  const stream = new EventSource("/api/stream");
  stream.addEventListener("overview", (e) => renderOverview(JSON.parse(e.data)));
  stream.onerror = () => document.getElementById("banner")?.classList.add("stale");
}

// ——— approvals ———

function approvalRow(a) {
  const q = a.request;
  const target = Object.entries(q.action.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const decide =
    a.state === "pending" && may.decide
      ? h`<form class="decide" data-id="${q.id}"><input name="note" placeholder="note (optional)" maxlength="2000"><button name="decision" value="approve" type="submit">Approve</button><button name="decision" value="deny" type="submit" class="deny">Deny</button></form>`
      : a.decision
        ? h`<small>${a.state} by ${a.decision.by.kind}:${a.decision.by.name} via ${a.decision.channel} ${ago(a.decision.decidedAt)}${a.decision.note ? ` — ${a.decision.note}` : ""}</small>`
        : h`<small>${a.state}</small>`;
  return h`<tr data-request="${q.id}"><td><strong>${q.evidence.summary}</strong><br><small>${q.reason}</small><ul>${q.evidence.observed.map((o) => h`<li>${o}</li>`)}</ul></td><td>${q.requester}</td><td>${q.action.kind}<br><small>${target}</small></td><td>${q.cost ? `${q.cost.amount} ${q.cost.currency}` : "–"}</td><td>${q.risk}</td><td>${a.state === "pending" ? `expires ${new Date(q.expiresAt).toLocaleString()}` : ""}${q.links.incident ? h`<br><a href="/incidents/${encodeURIComponent(q.links.incident)}">incident</a>` : ""}</td><td>${decide}</td></tr>`;
}

async function approvalsPage() {
  const draw = async () => {
    const [pending, all] = await Promise.all([api("GET", "/api/approvals?state=pending"), api("GET", "/api/approvals")]);
    const decided = all.approvals.filter((a) => a.state !== "pending");
    show(h`<h1>Approvals</h1><p id="flash" class="flash"></p>
${all.budget ? h`<p class="note">Budget ${all.budget.month}: ${all.budget.lines.map((l) => `${l.spent} of ${l.limit} ${l.currency} spent, ${l.left} left`).join("; ") || "none set"}</p>` : ""}
<h2>Waiting (${pending.approvals.length})</h2>
${pending.approvals.length === 0 ? h`<p class="note">Nothing waits for a decision.</p>` : h`<div class="scroll"><table><thead><tr><th>What</th><th>Requester</th><th>Action</th><th>Cost</th><th>Risk</th><th>When</th><th></th></tr></thead><tbody>${pending.approvals.map(approvalRow)}</tbody></table></div>`}
<h2>Decided</h2>
${decided.length === 0 ? h`<p class="note">None yet.</p>` : h`<div class="scroll"><table><thead><tr><th>What</th><th>Requester</th><th>Action</th><th>Cost</th><th>Risk</th><th></th><th>Decision</th></tr></thead><tbody>${decided.map(approvalRow)}</tbody></table></div>`}`);
    for (const form of document.querySelectorAll("form.decide"))
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const decision = e.submitter?.value;
        const note = form.elements.note.value.trim();
        try {
          const r = await api("POST", `/api/approvals/${encodeURIComponent(form.dataset.id)}`, { decision, ...(note ? { note } : {}) });
          await draw();
          flash(r.decidedNow ? `${r.state}.` : `It was ${r.state} already: nothing changed.`);
        } catch (err) {
          flash(err.message, true);
        }
      });
  };
  await draw();
}

// ——— incidents ———

async function incidentsPage() {
  const r = await api("GET", "/api/incidents?all=1");
  show(
    h`<h1>Incidents</h1>${
      r.incidents.length === 0
        ? h`<p class="note">No incident yet.</p>`
        : h`<div class="scroll"><table><thead><tr><th>Severity</th><th>Incident</th><th>Host</th><th>State</th><th>Opened</th></tr></thead><tbody>${r.incidents.map((i) => h`<tr><td><span class="${sevClass(i.severity)}">${i.severity}</span></td><td><a href="/incidents/${encodeURIComponent(i.id)}">${i.title}</a></td><td>${i.host}</td><td>${i.state}</td><td>${ago(i.openedAt)}</td></tr>`)}</tbody></table></div>`
    }`,
  );
}

async function incidentPage() {
  const { id } = JSON.parse(document.getElementById("data").textContent);
  const draw = async () => {
    const s = await api("GET", `/api/incidents/${encodeURIComponent(id)}`);
    const open = s.state !== "resolved";
    show(h`<h1><span class="${sevClass(s.severity)}">${s.severity}</span> ${s.title}</h1><p id="flash" class="flash"></p>
<p class="note">${s.host} · ${s.state} · opened ${new Date(s.openedAt).toLocaleString()}${s.acknowledged ? ` · acknowledged by ${s.acknowledged.by}` : ""}</p>
${s.likelyCause ? h`<p><strong>Likely cause:</strong> ${s.likelyCause.resource}: ${[...s.likelyCause.containers, ...s.likelyCause.processes].map((c) => `${c.name ?? c.command} ${c.value} ${c.unit}`).join(", ")}</p>` : ""}
${
  open && may.annotate
    ? h`<form id="act"><input name="note" placeholder="a note" maxlength="2000"><button type="submit" name="do" value="ack">Acknowledge</button><button type="submit" name="do" value="note">Add note</button>${may.resolve ? h`<button type="submit" name="do" value="resolve" class="deny">Resolve</button>` : ""}</form>`
    : ""
}
<h2>Alerts</h2><ul class="list">${s.alerts.map((a) => h`<li><span class="${sevClass(a.severity)}">${a.severity}</span> ${a.summary} <small>${a.rule} · ${a.status}</small></li>`)}</ul>
<h2>Timeline</h2><ol class="timeline">${s.timeline.map((t) => h`<li><time>${new Date(t.at).toLocaleString()}</time> <span class="kind">${t.kind}</span> ${t.note} <small>${t.actor.kind}:${t.actor.name}</small></li>`)}</ol>
<h2>The whole chain</h2><p class="note">Every event of this incident across the agents, read from the streams: the same as <code>lag trace ${id}</code>.</p><div id="chain"><p class="note">Reading the streams…</p></div>`);
    // From an hour before it opened: the alert that opened it came first, and the streams hold 90 days.
    const since = new Date(Date.parse(s.openedAt) - 3_600_000).toISOString();
    api("GET", `/api/trace/${encodeURIComponent(id)}?since=${encodeURIComponent(since)}`)
      .then((c) => {
        document.getElementById("chain").innerHTML = h`<ol class="timeline chain">${c.events.map(
          (e) =>
            h`<li data-event="${e.id}"><time>${new Date(e.time).toLocaleString()}</time> <span class="kind">${e.publisher}</span> ${e.what}${e.causationid ? h` <small>← ${e.causationid}</small>` : ""}</li>`,
        )}</ol>`.s;
      })
      .catch((err) => {
        document.getElementById("chain").innerHTML = h`<p class="warn">${err.message}</p>`.s;
      });
    document.getElementById("act")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const what = e.submitter?.value;
      const note = e.target.elements.note.value.trim();
      try {
        if (what === "note" && !note) throw new Error("write the note first");
        await api("POST", `/api/incidents/${encodeURIComponent(id)}/${what}`, note ? { note } : {});
        await draw();
        flash(what === "ack" ? "Acknowledged." : what === "resolve" ? "Resolved." : "Noted.");
      } catch (err) {
        flash(err.message, true);
      }
    });
  };
  await draw();
}

// ——— history ———

/** A series' name in the legend: its labels (`mount=/mnt/storage`), or the metric when it has none. */
const seriesName = (metric, labels) => {
  const ls = Object.entries(labels);
  return ls.length === 0 ? metric : ls.map(([k, v]) => `${k}=${v}`).join(" ");
};

/** The history service's series (points [ms, min, avg, max]) as uPlot's aligned columns of averages. */
function columns(reply) {
  const times = [...new Set(reply.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const ys = reply.series.map((s) => {
    const col = new Array(times.length).fill(null);
    for (const p of s.points) col[index.get(p[0])] = p[2];
    return col;
  });
  return [times.map((t) => t / 1000), ...ys];
}

async function historyPage() {
  const { ranges } = JSON.parse(document.getElementById("data").textContent);
  const params = new URLSearchParams(location.search);
  const ov = await api("GET", "/api/overview");
  const hosts = ov.hosts.map((x) => x.host);
  const st = { host: params.get("host") ?? hosts[0], metric: params.get("metric") ?? "cpu.usage_pct", range: params.get("range") ?? "24h" };
  if (!st.host) {
    show(h`<h1>History</h1><p class="note">No host has reported yet.</p>`);
    return;
  }
  const { series } = await api("GET", `/api/series?host=${encodeURIComponent(st.host)}`);
  const metrics = [...new Set(series.map((x) => x.metric))].sort();
  // One series of the metric (a container, a mount) or all of them: `l.<label>=<value>` in the address.
  const choices = series.filter((x) => x.metric === st.metric && Object.keys(x.labels).length > 0);
  const picked = [...params].filter(([k]) => k.startsWith("l."));
  const pickedKey = picked.map(([k, v]) => `${k}=${v}`).join("&");
  const keyOf = (labels) =>
    Object.entries(labels)
      .map(([k, v]) => `l.${k}=${v}`)
      .join("&");
  show(h`<h1>History</h1>
<form id="pick" class="pick">
<label>Host <select name="host">${hosts.map((x) => h`<option${x === st.host ? raw(" selected") : ""}>${x}</option>`)}</select></label>
<label>Metric <select name="metric">${metrics.map((m) => h`<option${m === st.metric ? raw(" selected") : ""}>${m}</option>`)}</select></label>
${
  choices.length > 1
    ? h`<label>Series <select name="series"><option value="">all ${choices.length}</option>${choices.map((c) => h`<option value="${keyOf(c.labels)}"${keyOf(c.labels) === pickedKey ? raw(" selected") : ""}>${seriesName(st.metric, c.labels)}</option>`)}</select></label>`
    : ""
}
<span class="ranges">${ranges.map((r) => h`<button type="button" data-range="${r}" class="${r === st.range ? "on" : ""}">${r}</button>`)}</span>
</form>
<p class="note" id="about"></p>
<div id="chart"></div>
<p class="note">Drag across the chart to zoom in (finer data is fetched); double-click to zoom out.</p>`);
  const form = document.getElementById("pick");
  const go = (keepSeries) => {
    const q = new URLSearchParams({ host: form.elements.host.value, metric: form.elements.metric.value, range: st.range });
    const one = keepSeries && form.elements.series ? form.elements.series.value : "";
    location.search = one ? `${q}&${one}` : q.toString();
  };
  form.elements.host.addEventListener("change", () => go(false));
  form.elements.metric.addEventListener("change", () => go(false));
  form.elements.series?.addEventListener("change", () => go(true));
  for (const b of form.querySelectorAll("button[data-range]"))
    b.addEventListener("click", () => {
      st.range = b.dataset.range;
      go(true);
    });
  let chart;
  const draw = async (from, to) => {
    const q = new URLSearchParams({
      host: st.host,
      metric: st.metric,
      range: st.range,
      ...(from ? { from, to } : {}),
      ...Object.fromEntries(picked),
    });
    const reply = await api("GET", `/api/history?${q}`);
    const points = reply.series.reduce((n, x) => n + x.points.length, 0);
    document.getElementById("about").textContent =
      `${reply.series.length} series, ${points} points from the ${reply.source === "raw" ? "raw samples" : `${reply.source} roll-up`}, every ${reply.stepSec} s`;
    const data = columns(reply);
    chart?.destroy();
    const box = document.getElementById("chart");
    const width = Math.max(300, box.clientWidth);
    const palette = ["#0b5cad", "#c4291c", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#57606a"];
    chart = new window.uPlot(
      {
        width,
        height: 320,
        series: [
          {},
          ...reply.series.map((x, i) => ({
            label: seriesName(st.metric, x.labels),
            stroke: palette[i % palette.length],
            width: 1.5,
            spanGaps: false,
          })),
        ],
        axes: [{}, { size: 60 }],
        cursor: { drag: { x: true, y: false } },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 5) return;
              const a = u.posToVal(u.select.left, "x");
              const b = u.posToVal(u.select.left + u.select.width, "x");
              void draw(new Date(a * 1000).toISOString(), new Date(b * 1000).toISOString());
            },
          ],
        },
      },
      data,
      box,
    );
    box.ondblclick = () => void draw();
    window.lagChart = chart;
    window.lagChartPoints = points;
  };
  await draw(params.get("from") ?? undefined, params.get("to") ?? undefined);
}

// ——— events ———

async function eventsPage() {
  const { kinds } = JSON.parse(document.getElementById("data").textContent);
  const params = new URLSearchParams(location.search);
  const kind = params.get("kind") ?? "";
  const q = params.get("q") ?? "";
  const r = await api("GET", `/api/events?${new URLSearchParams({ ...(kind ? { kind } : {}), ...(q ? { q } : {}) })}`);
  show(h`<h1>Events</h1>
<form class="pick" method="get" action="/events">
<label>Kind <select name="kind"><option value="">everything</option>${kinds.map((k) => h`<option${k === kind ? raw(" selected") : ""}>${k}</option>`)}</select></label>
<label>Containing <input name="q" value="${q}" maxlength="200"></label>
<button type="submit">Show</button>
</form>
${
  r.events.length === 0
    ? h`<p class="note">Nothing${kind || q ? " matches" : " yet: the feed fills as things happen"}.</p>`
    : h`<ol class="feed">${r.events.map(
        (e) =>
          h`<li data-kind="${e.kind}"><time>${new Date(e.at).toLocaleString()}</time> <span class="kind">${e.kind}</span>${e.severity ? h` <span class="${sevClass(e.severity)}">${e.severity}</span>` : ""} ${e.link ? h`<a href="${e.link}">${e.text}</a>` : e.text}</li>`,
      )}</ol>`
}`);
}

// ——— uptime ———

const availability = (p) => (p === null ? "–" : `${p >= 99.995 && p < 100 ? p.toFixed(3) : p.toFixed(2)} %`);
const availabilityClass = (p) => (p === null ? "none" : p >= 99.9 ? "ok" : p >= 99 ? "warn" : "bad");

async function uptimePage() {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  let exclude = new URLSearchParams(location.search).get("exclude") === "1";
  const draw = async () => {
    const r = await api("GET", `/api/uptime?days=90&tz=${encodeURIComponent(tz)}${exclude ? "&exclude=1" : ""}`);
    const rows = r.hosts.flatMap((x) => x.checks.map((c) => ({ host: x.host, c })));
    const win = (c, name) => c.windows.find((w) => w.window === name);
    show(h`<h1>Uptime</h1>
<p class="note">Each check's share of probes up, from the monitors' roll-ups; one bar per day (${tz}), the last 90 days. Response times over 24 h.</p>
<form class="pick"><label class="toggle"><input type="checkbox" id="exclude" ${exclude ? raw("checked") : ""}> Leave out maintenance windows (silences)</label></form>
${r.missing.length > 0 ? h`<p class="warn">Not answering: ${r.missing.join("; ")}</p>` : ""}
${r.hosts.filter((x) => x.silencesError).map((x) => h`<p class="warn">${x.host}: ${x.silencesError}</p>`)}
${
  rows.length === 0
    ? h`<p class="note">No check has history yet.</p>`
    : h`<div class="scroll"><table class="uptime"><thead><tr><th>Check</th><th>Host</th><th>24 h</th><th>7 d</th><th>30 d</th><th>1 y</th><th>p95</th><th>Last 90 days</th></tr></thead><tbody>${rows.map(
        ({ host, c }) =>
          h`<tr data-uptime="${host}/${c.check}"><td>${c.check} <small>${c.kind}</small></td><td>${host}</td>${[
            "24h",
            "7d",
            "30d",
            "1y",
          ].map((w) => {
            const p = win(c, w)?.availabilityPct ?? null;
            return h`<td class="${availabilityClass(p)}">${availability(p)}</td>`;
          })}<td>${win(c, "24h")?.p95Ms == null ? "–" : `${win(c, "24h").p95Ms} ms`}</td><td><span class="days">${c.days.map(
            (d) =>
              h`<span class="day ${availabilityClass(d.availabilityPct)}" title="${d.day}: ${availability(d.availabilityPct)}${d.downSec > 0 ? `, ${Math.round(d.downSec / 60)} min down` : ""}${d.excludedSec > 0 ? `, ${Math.round(d.excludedSec / 60)} min left out` : ""}"></span>`,
          )}</span>${
            c.silences.length > 0
              ? h`<small class="silenced">${c.silences.map((x) => `${new Date(x.startsAt).toLocaleString()} – ${new Date(x.endsAt).toLocaleTimeString()} ${x.note || "maintenance"}`).join("; ")}</small>`
              : ""
          }</td></tr>`,
      )}</tbody></table></div>`
}`);
    document.getElementById("exclude").addEventListener("change", async (e) => {
      exclude = e.target.checked;
      window.history.replaceState(null, "", exclude ? "?exclude=1" : location.pathname);
      await draw();
    });
  };
  await draw();
}

// ——— silences ———

async function silencesPage() {
  const draw = async () => {
    const r = await api("GET", "/api/silences?all=1");
    show(h`<h1>Silences</h1><p id="flash" class="flash"></p>
<p class="note">Matched alerts are recorded in their incidents but notify no one (a maintenance window).</p>
${
  may.resolve
    ? h`<form id="new" class="pick"><label>Match (label=glob, comma-separated) <input name="matchers" placeholder="container=immich" required></label><label>For <select name="for"><option value="1800000">30 min</option><option value="7200000" selected>2 h</option><option value="28800000">8 h</option><option value="86400000">1 day</option></select></label><label>Note <input name="note" maxlength="2000"></label><button type="submit">Silence</button></form>`
    : ""
}
${
  r.silences.length === 0
    ? h`<p class="note">No silence.</p>`
    : h`<div class="scroll"><table><thead><tr><th>Matches</th><th>From</th><th>Until</th><th>By</th><th>Note</th><th>Matched</th><th></th></tr></thead><tbody>${r.silences.map(
        (x) =>
          h`<tr data-silence="${x.id}"><td>${Object.entries(x.matchers)
            .map(([k, v]) => `${k}=${v}`)
            .join(
              ", ",
            )}</td><td>${new Date(x.startsAt).toLocaleString()}</td><td>${x.expiredAt ? `expired ${new Date(x.expiredAt).toLocaleString()}` : new Date(x.endsAt).toLocaleString()}</td><td>${x.createdBy}</td><td>${x.note}</td><td>${x.matched}${x.stale ? " (nothing for long)" : ""}</td><td>${
            may.resolve && x.active ? h`<button class="deny" data-expire="${x.id}">Expire</button>` : x.active ? "active" : ""
          }</td></tr>`,
      )}</tbody></table></div>`
}`);
    document.getElementById("new")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = e.target.elements;
      try {
        const matchers = Object.fromEntries(
          f.matchers.value.split(",").map((p) => {
            const i = p.indexOf("=");
            if (i <= 0) throw new Error(`${p.trim()} is not label=glob`);
            return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
          }),
        );
        await api("POST", "/api/silences", { matchers, forMs: Number(f.for.value), note: f.note.value.trim() });
        await draw();
        flash("Silenced.");
      } catch (err) {
        flash(err.message, true);
      }
    });
    for (const b of document.querySelectorAll("button[data-expire]"))
      b.addEventListener("click", async () => {
        try {
          await api("POST", `/api/silences/${encodeURIComponent(b.dataset.expire)}/expire`);
          await draw();
          flash("Expired.");
        } catch (err) {
          flash(err.message, true);
        }
      });
  };
  await draw();
}

// ——— sessions (admins) ———

async function sessionsPage() {
  const draw = async () => {
    const r = await api("GET", "/api/sessions");
    show(h`<h1>Sessions</h1><p id="flash" class="flash"></p>
<div class="scroll"><table><thead><tr><th>User</th><th>Role</th><th>Since</th><th>Last seen</th><th>From</th><th></th></tr></thead><tbody>${r.sessions.map(
      (x) =>
        h`<tr data-session="${x.id}"><td>${x.user}</td><td>${x.role}</td><td>${new Date(x.createdAt).toLocaleString()}</td><td>${ago(new Date(x.lastSeenAt).toISOString())}</td><td>${x.address} <small>${x.userAgent}</small></td><td>${x.current ? "this one" : h`<button class="deny" data-revoke="${x.id}">End</button>`}</td></tr>`,
    )}</tbody></table></div>
<h2>What was done on the page</h2>
<ol class="feed">${r.audit.map((a) => h`<li><time>${new Date(a.at).toLocaleString()}</time> <span class="kind">${a.action}</span> ${a.user} · ${a.target} · <span class="${a.outcome === "ok" ? "ok" : "bad"}">${a.outcome}</span> — ${a.detail} <small>${a.address}</small></li>`)}</ol>`);
    for (const b of document.querySelectorAll("button[data-revoke]"))
      b.addEventListener("click", async () => {
        try {
          await api("POST", `/api/sessions/${encodeURIComponent(b.dataset.revoke)}/revoke`);
          await draw();
          flash("Ended.");
        } catch (err) {
          flash(err.message, true);
        }
      });
  };
  await draw();
}

const pages = {
  overview: overviewPage,
  approvals: approvalsPage,
  incidents: incidentsPage,
  incident: incidentPage,
  history: historyPage,
  events: eventsPage,
  silences: silencesPage,
  uptime: uptimePage,
  sessions: sessionsPage,
};
const run = pages[document.body.dataset.page];
if (run)
  Promise.resolve(run()).catch((err) => {
    document.getElementById("main").innerHTML = h`<p class="error" role="alert">${err.message}</p>`.s;
  });
