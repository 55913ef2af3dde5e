import { runWorker } from "@lag/worker";
import { monitorWorker } from "./worker.ts";

await runWorker(monitorWorker);
