/**
 * bench/dashboard: the status page in a real headless Chromium against a real NATS.
 *
 *   1. first render of the overview with 2 hosts, 30 containers and 20 checks: from navigation to
 *      every container drawn, against the same page saved as static HTML and served by the same
 *      server (what the browser alone costs). Goal: ≤ 300 ms.
 *   2. the weight of the page's own JS + CSS, gzip-compressed (uPlot counted on the history page
 *      only). Goal: ≤ 150 KB.
 *   3. the page's CPU with 10 open pages receiving live updates (2 hosts and their containers
 *      every second, 20 check results every 10 s), against the same traffic with no page open.
 *      Goal: ≤ 2 % of a core for the 10 pages.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "playwright-core";
import type { BenchReport, Benchmark, Metrics } from "@lag/bench";
import { compareVariants, ratio, variantFromRuns } from "@lag/bench";
import { checkResult, containerMetrics, hostMetrics, type CheckResult, type ContainersSnapshot, type HostMetrics } from "@lag/contracts";
import { dashboardWorker, hashPassword } from "@lag/dashboard";
import { memoryLogger, startTestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";

const HOSTS = ["kronos", "nas"];
const CONTAINERS = 15;
const CHECKS = 10;
const PAGES = 10;
const LIVE_SECONDS = 20;

function host(name: string, i: number): HostMetrics {
  return { ...hostMetrics.example, host: name, time: new Date().toISOString(), cpu: { usagePct: 10 + (i % 30), cores: [10, 12] } };
}

function containers(name: string, i: number): ContainersSnapshot {
  return {
    host: name,
    time: new Date().toISOString(),
    docker: { available: true, version: "26.1.5" },
    containers: Array.from({ length: CONTAINERS }, (_, c) => ({
      id: `${name}${c}`.padEnd(16, "0"),
      name: `${name}-svc-${c}`,
      image: `svc:${c}`,
      state: "running" as const,
      health: "healthy" as const,
      restartCount: 0,
      cpuPct: (c + i) % 7,
      memPct: 20 + c,
    })),
  };
}

function check(name: string, c: number): CheckResult {
  return {
    host: name,
    check: `svc-${c}`,
    kind: "http",
    target: `https://svc-${c}.lagrieta.es/`,
    ok: true,
    time: new Date().toISOString(),
    latencyMs: 20 + c,
  };
}

/** What the server sends for a path, gzip-compressed (as a browser would get it over a compressing proxy). */
const gz = async (url: string) => gzipSync(Buffer.from(await (await fetch(url)).arrayBuffer()), { level: 9 }).length;

/** Waits until every container is drawn, asking from outside (the page's CSP allows no eval in it). */
async function drawn(tab: import("playwright-core").Page, n: number): Promise<void> {
  for (;;) if (Number(await tab.evaluate(`document.querySelectorAll("[data-container]").length`)) === n) return;
}

export const benchmark: Benchmark = {
  name: "dashboard",
  description:
    "the status page in headless Chromium: first render (2 hosts, 30 containers, 20 checks), JS+CSS weight, CPU with 10 live pages",
  async run(ctx): Promise<BenchReport> {
    const dir = mkdtempSync(join(tmpdir(), "lag-bench-dash-"));
    const nats = await startTestNats();
    let page: RunningWorker | undefined;
    let browser: Browser | undefined;
    try {
      await nats.provisionStreams();
      const password = "bench-password-1";
      writeFileSync(
        join(dir, "lag.yaml"),
        `dataDir: ${dir}
log: { level: warn }
dashboard:
  listen: { port: 0 }
  metrics: { port: 0 }
  users: [{ name: bench, role: viewer, password: "${await hashPassword(password)}" }]
`,
      );
      const log = memoryLogger("dashboard");
      page = await startWorker(dashboardWorker, { env: { LAG_CONFIG: join(dir, "lag.yaml"), NATS_URL: nats.url }, logger: log.logger });
      const base = String(log.lines.find((l) => l.msg.startsWith("status page at "))!.url);
      const monitor = await nats.bus("it-monitor");
      let tick = 0;
      const publishRound = async () => {
        tick++;
        await Promise.all(
          HOSTS.flatMap((h) => [monitor.publish(hostMetrics, host(h, tick)), monitor.publish(containerMetrics, containers(h, tick))]),
        );
        if (tick % 10 === 1)
          await Promise.all(HOSTS.flatMap((h) => Array.from({ length: CHECKS }, (_, c) => monitor.publish(checkResult, check(h, c)))));
      };
      await publishRound();
      await new Promise((r) => setTimeout(r, 300));

      browser = await chromium.launch({
        executablePath: process.env.LAG_CHROMIUM ?? "/usr/bin/chromium",
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const login = await context.newPage();
      await login.goto(`${base}login`);
      await login.fill('input[name="user"]', "bench");
      await login.fill('input[name="password"]', password);
      await login.click('button[type="submit"]');
      await login.waitForURL(base);
      await drawn(login, HOSTS.length * CONTAINERS);
      // The overview as drawn, without its script, answered for a path of the same origin: the baseline.
      const staticHtml = (await login.content()).replace(/<script src="\/assets\/app.js" defer><\/script>/, "");
      await context.route(`${base}bench-static`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: staticHtml }));
      await login.close();

      const firstRender = (url: string) => async (): Promise<Metrics> => {
        const tab = await context.newPage();
        const t0 = performance.now();
        await tab.goto(url, { waitUntil: "commit" });
        await drawn(tab, HOSTS.length * CONTAINERS);
        const ms = performance.now() - t0;
        await tab.close();
        return { ms };
      };
      ctx.progress("first render");
      const rv = await compareVariants(
        ctx,
        "first render",
        "ms",
        [
          {
            name: "overview",
            description: `the live overview: ${HOSTS.length} hosts, ${HOSTS.length * CONTAINERS} containers, ${HOSTS.length * CHECKS} checks`,
            run: firstRender(base),
          },
          {
            name: "static copy",
            description: "the same page as drawn, saved as HTML without the script",
            run: firstRender(`${base}bench-static`),
          },
        ],
        (m) => `${m.ms!.toFixed(0)} ms`,
      );

      const own = (await gz(`${base}assets/app.js`)) + (await gz(`${base}assets/app.css`));
      const uplot = (await gz(`${base}vendor/uplot.js`)) + (await gz(`${base}vendor/uplot.css`));
      const weight = variantFromRuns(
        "page",
        "app.js + app.css (+ uPlot on the history page), gzip -9",
        [{ overviewKB: own / 1000, historyKB: (own + uplot) / 1000 }],
        "historyKB",
      );

      ctx.progress(`CPU: ${LIVE_SECONDS} s of live updates, with ${PAGES} pages and with none`);
      const cpuWith = (pages: number) => async (): Promise<Metrics> => {
        const tabs = await Promise.all(Array.from({ length: pages }, () => context.newPage()));
        await Promise.all(tabs.map((t) => t.goto(base)));
        await new Promise((r) => setTimeout(r, 1000));
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (let s = 0; s < LIVE_SECONDS; s++) {
          await publishRound();
          await new Promise((r) => setTimeout(r, 1000));
        }
        const c = process.cpuUsage(c0);
        const wall = performance.now() - t0;
        await Promise.all(tabs.map((t) => t.close()));
        return { corePct: ((c.user + c.system) / 1000 / wall) * 100 };
      };
      const cv = await compareVariants(
        ctx,
        "live CPU",
        "corePct",
        [
          { name: `${PAGES} pages`, description: `${PAGES} overviews open, each receiving every update`, run: cpuWith(PAGES) },
          { name: "no page", description: "the same traffic, no page open (the bus, the bench's own publishing)", run: cpuWith(0) },
        ],
        (m) => `${m.corePct!.toFixed(2)} % of a core`,
      );
      const overview = rv.find((v) => v.name === "overview")!.median.ms!;
      const extra = cv.find((v) => v.name === `${PAGES} pages`)!.median.corePct! - cv.find((v) => v.name === "no page")!.median.corePct!;
      return {
        facts: {
          browser: browser.version(),
          overview: `${HOSTS.length} hosts, ${HOSTS.length * CONTAINERS} containers, ${HOSTS.length * CHECKS} checks`,
          "live traffic": `every second: ${HOSTS.length} host samples and container snapshots; every 10 s: ${HOSTS.length * CHECKS} check results`,
        },
        measurements: [
          {
            id: "dashboard-first-render",
            title: "First render of the overview (navigation → every container drawn)",
            key: "ms",
            units: { ms: "ms" },
            variants: rv,
            ratios: [ratio("overview / static copy", rv, "overview", "static copy", "ms")],
            notes: [`overview ${overview.toFixed(0)} ms (goal ≤ 300 ms: ${overview <= 300 ? "met" : "NOT met"})`],
          },
          {
            id: "dashboard-weight",
            title: "The page's JS + CSS, compressed",
            key: "historyKB",
            units: { overviewKB: "KB", historyKB: "KB" },
            variants: [weight],
            ratios: [],
            notes: [
              `overview ${(own / 1000).toFixed(1)} KB, history page with uPlot ${((own + uplot) / 1000).toFixed(1)} KB (goal ≤ 150 KB: ${own + uplot <= 150_000 ? "met" : "NOT met"})`,
            ],
          },
          {
            id: "dashboard-live-cpu",
            title: `CPU of the page's server with ${PAGES} live pages`,
            key: "corePct",
            units: { corePct: "% of a core" },
            variants: cv,
            ratios: [ratio(`${PAGES} pages / no page`, cv, `${PAGES} pages`, "no page", "corePct")],
            notes: [`${PAGES} pages cost ${extra.toFixed(2)} % of a core over none (goal ≤ 2 %: ${extra <= 2 ? "met" : "NOT met"})`],
          },
        ],
      };
    } finally {
      await browser?.close();
      await page?.shutdown("bench");
      await nats.stop();
    }
  },
};
