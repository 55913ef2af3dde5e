import { describe, expect, it } from "vitest";
import { BackupConfig } from "./config.ts";

describe("it.backup configuration", () => {
  it("names every bad key at once", () => {
    const r = BackupConfig.safeParse({
      repositories: { local: { url: "/mnt/backup/restic", password: { file: "relative/pw" } } },
      plans: [
        { name: "immich", paths: ["/mnt/storage/immich"], repositories: ["local", "nas"], schedule: { cron: "61 3 * * *" } },
        { name: "immich", repositories: ["local"] },
      ],
      verify: { slices: 0 },
    });
    expect(r.success).toBe(false);
    const where = r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(where).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^repositories\.local\.password/),
        expect.stringMatching(/^plans\.0\.schedule\.cron: cron "61 3 \* \* \*"/),
        expect.stringMatching(/^plans\.1\.paths: a plan needs paths, a dump hook, or both/),
        expect.stringMatching(/^verify\.slices/),
      ]),
    );
  });

  it("a plan naming a missing repository, and two plans of one name, are caught with the good parts", () => {
    const r = BackupConfig.safeParse({
      repositories: { local: { url: "/r", password: { env: "LAG_RESTIC_LOCAL" } } },
      plans: [
        { name: "a", paths: ["/a"], repositories: ["local", "nas"] },
        { name: "a", paths: ["/b"], repositories: ["local"] },
      ],
    });
    const where = r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(where.sort()).toEqual([
      "plans.0.repositories.1: no repository nas in it.backup.repositories (there: local)",
      "plans.1.name: a second plan named a",
    ]);
  });

  it("fills the defaults: daily at 03:00 in Madrid, 7 daily / 4 weekly / 6 monthly, a 7-day rotation", () => {
    const c = BackupConfig.parse({
      repositories: { local: { url: "/r", password: { file: "/etc/lag/secrets/restic" } } },
      plans: [{ name: "kronos", paths: ["/etc/lag"], repositories: ["local"] }],
    });
    expect(c.plans[0]).toMatchObject({
      schedule: { cron: "0 3 * * *", timezone: "Europe/Madrid" },
      retention: { daily: 7, weekly: 4, monthly: 6 },
      hooks: { stop: [], timeout: 120_000 },
      drillSample: 500,
    });
    expect(c.verify).toMatchObject({ slices: 7, cron: "30 4 * * *" });
    expect(c.repositories.local!.probeTimeout).toBe(60_000);
  });
});
