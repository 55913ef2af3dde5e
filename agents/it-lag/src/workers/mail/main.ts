import { runWorker } from "@lag/worker";
import { mailWorker } from "./worker.ts";

await runWorker(mailWorker);
