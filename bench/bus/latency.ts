import { storageService } from "@lag/contracts";
import { ratio, variantFromRuns, type BenchContext, type Measurement, type Metrics } from "../harness/benchmark.ts";
import { summariseLatencies } from "../harness/stats.ts";
import { busWarnings, openClients } from "./clients.ts";
import { storageReply } from "./payload.ts";

const REQUESTS = 5_000;
const WARMUP_PER_RUN = 500;
const WARMUP_FIRST = 2_000;
/**
 * The raw responder needs a subject of its own: on the contract's subject the micro service's
 * queue group would answer too. It is a benchmark-only subject that no contract describes.
 */
const RAW_SUBJECT = "bench.raw.storage.query";

type Call = () => Promise<unknown>;

/**
 * One request at a time, typed and raw taking turns request by request (and alternating which goes
 * first). A p99 is made of the slowest 1 % of requests, which on a shared machine are mostly
 * scheduling stalls; interleaving this finely exposes both paths to the same stalls, where whole
 * runs one after the other would hand one path a quiet minute and the other a busy one.
 */
async function interleaved(typed: Call, raw: Call, warmup: number, measured: number): Promise<[bigint[], bigint[]]> {
  for (let i = 0; i < warmup; i++) {
    await typed();
    await raw();
  }
  const out: [bigint[], bigint[]] = [new Array<bigint>(measured), new Array<bigint>(measured)];
  const calls = [typed, raw];
  for (let i = 0; i < measured; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = process.hrtime.bigint();
      await calls[k]!();
      out[k]![i] = process.hrtime.bigint() - t0;
    }
  }
  return out;
}

/**
 * Request/reply latency, one request at a time. typed = bus.request(storage query, {}) (request
 * validated, ce-source header, reply checked for service-error headers and validated) against
 * bus.serve (a NATS micro service: request parsed and validated, handler, reply validated);
 * raw = nc.request of the same request bytes against nc.subscribe answering the same reply bytes.
 */
export async function measureLatency(ctx: BenchContext): Promise<{ measurement: Measurement; replyBytes: number }> {
  const c = await openClients();
  try {
    const server = await c.typed("it-monitor");
    const client = await c.typed("media");
    const rawServer = await c.raw("responder");
    const rawClient = await c.raw("requester");
    await server.serve(storageService, { query: () => storageReply });
    const replyBytes = new TextEncoder().encode(JSON.stringify(storageReply));
    const requestBytes = new TextEncoder().encode(JSON.stringify({}));
    rawServer.subscribe(RAW_SUBJECT, {
      callback: (_err, m) => {
        m.respond(replyBytes);
      },
    });
    await rawServer.flush();
    await server.nc.flush();

    const typedCall = () => client.request(storageService.endpoints.query, {});
    const rawCall = () => rawClient.request(RAW_SUBJECT, requestBytes, { timeout: 5_000 });
    const logFrom = c.log.lines.length;
    ctx.progress("request/reply: warm-up");
    await interleaved(typedCall, rawCall, WARMUP_FIRST, 0);
    const typedRuns: Metrics[] = [];
    const rawRuns: Metrics[] = [];
    for (let r = 0; r < ctx.repeats; r++) {
      const [t, w] = await interleaved(typedCall, rawCall, WARMUP_PER_RUN, REQUESTS);
      const ts = summariseLatencies(t);
      const ws = summariseLatencies(w);
      typedRuns.push({ ...ts });
      rawRuns.push({ ...ws });
      ctx.progress(
        `request/reply run ${r + 1}/${ctx.repeats}: typed p50 ${ts.p50.toFixed(0)} µs p99 ${ts.p99.toFixed(0)} µs; ` +
          `raw p50 ${ws.p50.toFixed(0)} µs p99 ${ws.p99.toFixed(0)} µs`,
      );
    }
    const variants = [
      variantFromRuns("typed", "bus.request → bus.serve (micro service)", typedRuns, "p99"),
      variantFromRuns("raw", "nc.request → nc.subscribe responder", rawRuns, "p99"),
    ];
    const warnings = busWarnings(c.log, logFrom);
    const us = "µs";
    return {
      replyBytes: replyBytes.length,
      measurement: {
        id: "request-latency",
        title:
          `Request/reply latency: ${REQUESTS.toLocaleString("en")} sequential requests per path after ${WARMUP_PER_RUN} ` +
          `warm-up, typed and raw alternating request by request, reply ${replyBytes.length} B`,
        key: "p99",
        units: { p50: us, p90: us, p99: us, max: us, mean: us },
        variants,
        ratios: [
          ratio("typed / raw p99", variants, "typed", "raw", "p99", { statement: "service p99 ≤ 1.5 × raw p99", op: "<=", limit: 1.5 }),
          ratio("typed / raw p50", variants, "typed", "raw", "p50"),
        ],
        notes: [
          "each path's median run is its run with the median p99; its other percentiles are from that same run",
          // The runs are paired (both paths measured in the same minutes), so per-run ratios mean something.
          `typed / raw p99 run by run: ${typedRuns.map((t, i) => (t.p99! / rawRuns[i]!.p99!).toFixed(2)).join(" · ")}`,
          ...(warnings.length > 0 ? [`the bus logged during the runs: ${warnings.slice(0, 5).join(" | ")}`] : []),
        ],
      },
    };
  } finally {
    await c.close();
  }
}
