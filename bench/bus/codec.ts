import { compiledSchema, decodeEvent, encodeEvent } from "@lag/bus";
import { Envelope, parseSubject, renderSubject, type EventDescriptor } from "@lag/contracts";
import { compareVariants, type BenchContext, type Measurement, type Metrics, type VariantSpec } from "../harness/benchmark.ts";
import { SOURCE } from "./payload.ts";

const OPS = 100_000;

/** Calls `op` OPS times and returns the mean cost of one call (the warm-up pass is the same loop, discarded). */
function perOp(op: () => unknown) {
  return async (phase: "warmup" | "measure"): Promise<Metrics> => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) op();
    const us = Number(process.hrtime.bigint() - t0) / 1e3 / OPS;
    return phase === "warmup" ? {} : { usPerOp: us, opsPerSec: 1e6 / us };
  };
}

/**
 * What one message costs the typed path in CPU, with no I/O: encodeEvent (publish side) and
 * decodeEvent (receive side), then the parts they are made of, so a gap in the throughput figures
 * can be read off without a profiler. The raw path pays none of these: it sends bytes it already has
 * and counts what arrives.
 */
export async function measureCodec(ctx: BenchContext, event: EventDescriptor, data: unknown): Promise<Measurement> {
  const e = encodeEvent(event, data as never, { source: SOURCE });
  const json = JSON.parse(e.payload) as { data: unknown };
  const tokens = event.tokens(data as never) as Record<string, string>;
  const specs: VariantSpec[] = [
    {
      name: "encodeEvent",
      description: "publish side: validate data, subject, envelope, JSON.stringify",
      run: perOp(() => encodeEvent(event, data as never, { source: SOURCE })),
    },
    {
      name: "decodeEvent",
      description: "receive side: subject, JSON.parse, envelope and data validated",
      run: perOp(() => decodeEvent(e.subject, e.payload, [event])),
    },
    { name: "JSON.stringify", description: "the envelope", run: perOp(() => JSON.stringify(e.envelope)) },
    { name: "JSON.parse", description: "the payload", run: perOp(() => JSON.parse(e.payload)) },
    {
      name: "Envelope.safeParse",
      description: "zod, compiled: CloudEvents attributes",
      run: perOp(() => compiledSchema(Envelope).safeParse(json)),
    },
    {
      name: "schema.safeParse",
      description: "zod, compiled: the event's data",
      run: perOp(() => compiledSchema(event.schema).safeParse(json.data)),
    },
    {
      name: "schema.safeParse (not compiled)",
      description: "zod's standard parser, for comparison",
      run: perOp(() => event.schema.safeParse(json.data)),
    },
    {
      name: "renderSubject",
      description: "subject from data tokens (encode once, decode once)",
      run: perOp(() => renderSubject(event.subject, tokens)),
    },
    {
      name: "parseSubject",
      description: "tokens from the subject (decode twice)",
      run: perOp(() => parseSubject(event.subject, e.subject)),
    },
  ];
  const variants = await compareVariants(ctx, "codec", "usPerOp", specs, (m) => `${m.usPerOp!.toFixed(2)} µs`);
  return {
    id: "codec-cpu",
    title: `CPU per message of the typed path (${event.type}, ${Buffer.byteLength(e.payload)} B), mean of ${OPS.toLocaleString("en")} calls`,
    key: "usPerOp",
    units: { usPerOp: "µs", opsPerSec: "ops/s" },
    variants,
    ratios: [],
    notes: [],
  };
}
