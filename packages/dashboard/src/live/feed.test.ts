import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { imageUpdate, maintenanceResult, mediaImportChanged, storageReservation, storageSpace } from "@lag/contracts";
import { openStore } from "@lag/store";
import * as schema from "../store/schema.ts";
import { EventsFeed } from "./feed.ts";

describe("the events feed", () => {
  it("tells reservations, space levels, maintenance results, image updates and imports in a sentence each", () => {
    const store = openStore({
      file: join(mkdtempSync(join(tmpdir(), "lag-feed-")), "feed.sqlite"),
      schema,
      migrationsFolder: fileURLToPath(new URL("../migrations", import.meta.url)),
    });
    const feed = new EventsFeed(store.db);
    feed.reservation(storageReservation.example, "lag.it.storage.reservation.granted.kronos");
    feed.space({ ...storageSpace.example, level: "critical", usedPct: 96.04 }, "lag.it.storage.space.critical.kronos");
    feed.maintenance(maintenanceResult.example, "lag.it.maintenance.result.os-updates.kronos");
    feed.imageUpdate({ ...imageUpdate.example, reminder: true }, "lag.it.maintenance.image-update.kronos.immich-server");
    feed.mediaImport(
      { ...mediaImportChanged.example, change: "paused", note: "paused: low space on kronos:/mnt/storage" },
      "lag.media.import.paused.x",
    );
    const got = feed.list({ limit: 10 }).reverse();
    expect(got.map((e) => [e.kind, e.severity ?? null, e.text])).toEqual([
      ["storage", null, "279.4 GiB on kronos:/mnt/storage granted for media (import: Kurosawa collection) — 300 GB of 1.0 TB free"],
      ["storage", "high", "kronos:/mnt/storage is critical on space (96.0 % used, 48.4 GiB free, 1 reservations open)"],
      ["maintenance", null, "kronos os-updates: 3 updates pending (1 security), reboot required"],
      [
        "maintenance",
        null,
        "kronos: immich-server (ghcr.io/immich-app/immich-server:release) has a newer image for its tag, pending since 2026-11-23",
      ],
      ["media", "medium", "import Kurosawa collection paused — paused: low space on kronos:/mnt/storage"],
    ]);
    expect(feed.list({ kind: "maintenance", limit: 10 })).toHaveLength(2);
    store.close();
  });
});
