import { runWorker } from "@lag/worker";
import { storageWorker } from "./worker.ts";

await runWorker(storageWorker);
