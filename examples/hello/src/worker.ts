import { fileURLToPath } from "node:url";
import { count, desc } from "drizzle-orm";
import { greeting, helloService, storageService } from "@lag/contracts";
import { defineWorker, schedule, serve } from "@lag/worker";
import { exampleConfig } from "./config.ts";
import * as schema from "./schema.ts";

/**
 * The smallest worker that uses every seam: a config section of its own (`example.hello`), its own
 * SQLite file and migrations, a service it waits for (it-storage), a cron schedule in a time zone,
 * an event it publishes and a service it answers. Copy it to start a new one (docs/adding-a-worker.md).
 */
export const helloWorker = defineWorker({
  name: "example-hello",
  principal: "example-hello",
  config: exampleConfig.section("hello"),
  dependsOn: [storageService],
  store: { schema, migrationsFolder: fileURLToPath(new URL("./migrations", import.meta.url)) },

  setup: ({ store }) => ({ db: store.db }),

  bindings: ({ db }, { bus, config, clock, log }) => [
    schedule("greet", { cron: config.cron, timezone: config.timezone }, async () => {
      const time = clock.now().toISOString();
      const text = `${config.text}, ${config.name}`;
      db.insert(schema.greetings).values({ name: config.name, text, time }).run();
      const sent = db.select({ n: count() }).from(schema.greetings).get()!.n;
      // Where is there room? The dependency this worker waited for at start.
      const storage = await bus.request(storageService.endpoints.query, {});
      bus.emit(greeting, { name: config.name, text, count: sent, time });
      log.info({ sent, volumes: storage.volumes.length }, "greeted");
    }),
    serve(helloService, {
      count: () => {
        const n = db.select({ n: count() }).from(schema.greetings).get()!.n;
        const last = db.select({ time: schema.greetings.time }).from(schema.greetings).orderBy(desc(schema.greetings.id)).limit(1).get();
        return { greetings: n, ...(last ? { last: last.time } : {}) };
      },
    }),
  ],
});
