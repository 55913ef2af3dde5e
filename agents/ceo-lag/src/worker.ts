import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CommonConfig } from "@lag/config";
import { alert, ceoItInbox } from "@lag/contracts";
import { otherSections, type WorkerSpec } from "@lag/worker";
import { Inbox } from "./inbox/inbox.ts";
import * as schema from "./inbox/schema.ts";

export const CeoConfig = z.strictObject({});

export const CeoProcessConfig = CommonConfig.extend({
  ...otherSections("ceo"),
  ceo: CeoConfig.default({}),
});

const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));

export const ceoWorker: WorkerSpec<typeof CeoProcessConfig> = {
  name: "ceo",
  principal: "ceo",
  config: CeoProcessConfig,
  async start({ bus, log, openStore }) {
    const store = openStore({ name: "ceo", schema, migrationsFolder });
    const box = new Inbox(store.db);
    await bus.consume(ceoItInbox, (d) => {
      const fresh = box.record(d);
      if (!fresh) return;
      if (d.is(alert) && d.data.status === "firing" && d.data.severity === "critical") {
        log.warn({ host: d.data.host, rule: d.data.rule, summary: d.data.summary }, "critical IT alert received");
      } else {
        log.info({ type: d.envelope.type, subject: d.subject }, "IT event archived");
      }
    });
    log.info({ durable: ceoItInbox.durable }, "CEO_LAG inbox consuming IT alerts and reports");
  },
};
