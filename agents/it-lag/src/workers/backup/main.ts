import { runWorker } from "@lag/worker";
import { backupWorker } from "./worker.ts";

await runWorker(backupWorker);
