import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dockerCli,
  ensureBusyboxImage,
  eventually,
  memoryLogger,
  removeContainers,
  runHealthCheckedContainer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
} from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { startedAt, startIncidentSystem, type IncidentSystem } from "../../../test/incidents.fixture.ts";
import { dashboardWorker, hashPassword } from "../src/index.ts";

/**
 * Flow 5 of the design seen through the page, on real parts: a real container turns unhealthy,
 * the monitor alerts, the overview shows it without a reload, the incident worker asks for a
 * restart, an admin approves it on the approvals page, the runbook restarts the container.
 */
const prefix = testContainerPrefix("dashrun");
const name = `${prefix}web`;
const artefacts = join(import.meta.dirname, "../../../test-artefacts/dashboard");
let nats: TestNats;
let sys: IncidentSystem;
let page: RunningWorker | undefined;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  const image = await ensureBusyboxImage();
  nats = await startTestNats();
  await runHealthCheckedContainer(name, image);
  await eventually(async () => (await dockerCli(["inspect", "-f", "{{.State.Health.Status}}", name])).stdout.trim() === "healthy", 20_000);
  sys = await startIncidentSystem(nats, "dashrun", prefix, "  approvals:\n    rules: []\n    default: ask");
  const dir = mkdtempSync(join(tmpdir(), "lag-dash-run-"));
  mkdirSync(artefacts, { recursive: true });
  writeFileSync(
    join(dir, "lag.yaml"),
    `dataDir: ${dir}
dashboard:
  listen: { port: 0 }
  metrics: { enabled: false }
  users: [{ name: ana, role: admin, password: "${await hashPassword("ana-admin-pw")}" }]
`,
  );
  const log = memoryLogger("dashboard");
  page = await startWorker(dashboardWorker, { env: { LAG_CONFIG: join(dir, "lag.yaml"), NATS_URL: nats.url }, logger: log.logger });
  base = String(log.lines.find((l) => l.msg.startsWith("status page at "))!.url);
  browser = await chromium.launch({
    executablePath: process.env.LAG_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await page?.shutdown();
  await sys?.stop();
  await nats?.stop();
  await removeContainers(prefix);
});

describe("a restart approved on the page", () => {
  it("the overview shows the container turn unhealthy live; an admin approves the runbook's restart and it runs", async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
    const tab = await ctx.newPage();
    await tab.goto(`${base}login`);
    await tab.fill('input[name="user"]', "ana");
    await tab.fill('input[name="password"]', "ana-admin-pw");
    await tab.click('button[type="submit"]');
    await tab.waitForURL(base);
    const row = `[data-container="dashrun/${name}"]`;
    await tab.waitForSelector(`${row} .health-healthy`, { timeout: 20_000 });
    await tab.evaluate("document.body.dataset.loadedOnce = 'yes'");
    const before = await startedAt(name);
    // The container's health check starts failing.
    await dockerCli(["exec", name, "rm", "-f", "/tmp/ok"]);
    await tab.waitForSelector(`${row} .health-unhealthy`, { timeout: 30_000 });
    expect(await tab.evaluate("document.body.dataset.loadedOnce")).toBe("yes");
    // The incident worker asks for a restart; the policy hands it to a person: it waits on the page.
    await tab.waitForSelector("#banner:not(.ok)", { timeout: 10_000 });
    await tab.goto(`${base}approvals`);
    const request = tab.locator("tr[data-request]", { hasText: `restart container ${name}` });
    await eventually(
      async () => {
        if ((await request.count()) > 0) return true;
        await tab.reload();
        return false;
      },
      30_000,
      "the restart request on the approvals page",
    );
    await tab.screenshot({ path: join(artefacts, "approvals-restart.png"), fullPage: true });
    expect(await startedAt(name)).toBe(before);
    await request.locator('input[name="note"]').fill("go ahead");
    await request.locator('button[value="approve"]').click();
    await tab.waitForSelector("#flash.ok", { timeout: 10_000 });
    // The runbook runs: the container is restarted (and its start makes it healthy again).
    await eventually(async () => (await startedAt(name)) !== before, 60_000, "the container restarted");
    await tab.goto(base);
    await tab.waitForSelector(`${row} .health-healthy`, { timeout: 30_000 });
    const decided = sys.changes.find((c) => c.kind === "approval" && /approved/.test(c.note));
    expect(decided?.note).toMatch(/approved by person ana \(page, rule default\): go ahead/);
    await ctx.close();
  }, 180_000);
});
