import { Output } from "./output.ts";
import { runCli } from "./run.ts";

// `lag tail | head -3`: the reader went away, which is a normal way to stop.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const out = new Output();
const code = await runCli(process.argv.slice(2), out);
await out.flush();
// NATS timers may keep the event loop alive after the connection closed; the command is done.
process.exit(code);
