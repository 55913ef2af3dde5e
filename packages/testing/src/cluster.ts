import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { StorageType } from "@nats-io/jetstream";
import { Bus } from "@lag/bus";
import { catalog, type Principal } from "@lag/contracts";
import { ADMIN_USER, CLUSTER_DIR, CLUSTER_NODES, derivePermissions } from "@lag/contracts/generate";
import { repoRoot } from "@lag/launcher";
import { memoryLogger, type MemoryLogger } from "./logger.ts";
import { startTestNats, type TestNats } from "./nats.ts";
import { eventually } from "./wait.ts";

/** A free loopback port for a route listener (client ports come from startTestNats). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface TestCluster {
  nodes: TestNats[];
  /** Every node's client URL: what a client gives as its seeds. */
  urls: string[];
  /** Passwords of every production user, as the generated configs expect them. */
  passwords: Record<string, string>;
  /** A bus as the principal with its production credentials, seeded with every node. */
  bus(principal: Principal, opts?: { logger?: MemoryLogger; replicas?: number; publishRetryMs?: number }): Promise<Bus>;
  /** The admin user's bus (whole JetStream API). */
  admin(): Promise<Bus>;
  /** Every stream of the contracts created (R3) by its owner, as the workers do at start. */
  provisionStreams(): Promise<void>;
  /** The index of the node that leads a stream (or a stream's consumer) now. */
  leaderOf(stream: string, consumer?: string): Promise<number>;
  /** SIGSTOP / SIGCONT a node: a hung machine, as clients see it. */
  freeze(i: number): void;
  thaw(i: number): void;
  stop(): Promise<void>;
}

/**
 * The three nodes of the generated cluster configs (infra/nats/cluster) on loopback: only addresses
 * change (every node on 127.0.0.1 with its own client and route ports; auth.conf inlined, since the
 * harness writes each config into its own folder). A port found free can be taken by another
 * test's server before nats-server binds it; then the cluster starts again on new ports.
 */
export async function startTestCluster(opts: { syncAlways?: boolean } = {}): Promise<TestCluster> {
  // A route port found free can be taken by another test's server before a node binds it; that
  // node then runs without its routes and the cluster never has three peers: start again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function startOnce(opts: { syncAlways?: boolean }): Promise<TestCluster> {
  const users = derivePermissions(catalog);
  const passwords: Record<string, string> = Object.fromEntries(users.map((u) => [u.user, `lag${Math.random().toString(36).slice(2)}x`]));
  const env = Object.fromEntries(users.map((u) => [u.passwordEnv, passwords[u.user]!]));
  const auth = readFileSync(join(repoRoot, CLUSTER_DIR, "auth.conf"), "utf8");
  let nodes: TestNats[] = [];
  for (let attempt = 1; ; attempt++) {
    const routePorts = await Promise.all(CLUSTER_NODES.map(() => freePort()));
    const configFor = (n: number) =>
      readFileSync(join(repoRoot, CLUSTER_DIR, `node-${n}.conf`), "utf8")
        .replace("host: 0.0.0.0", "host: 127.0.0.1")
        .replace("listen: 0.0.0.0:6222", `listen: 127.0.0.1:${routePorts[n - 1]}`)
        .replace(/nats-route:\/\/nats-(\d):6222/g, (_, m: string) => `nats-route://127.0.0.1:${routePorts[Number(m) - 1]}`)
        .replace('include "auth.conf"', auth)
        // The generated configs fsync every write; a benchmark compares that with the server's default.
        .replace(/^\s*sync_interval: always\n/m, opts.syncAlways === false ? "" : "$&");
    const started = await Promise.allSettled(CLUSTER_NODES.map((n) => startTestNats({ config: configFor(n), env })));
    nodes = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    if (nodes.length === started.length) break;
    await Promise.allSettled(nodes.map((n) => n.stop()));
    const reasons = started.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    if (attempt === 3 || !reasons.every((e) => /address already in use|already in use/.test(e.message))) throw reasons[0];
  }
  const urls = nodes.map((n) => n.url);
  const clients: Bus[] = [];
  const connect = async (
    principal: Principal,
    user: string,
    o: { logger?: MemoryLogger; replicas?: number; publishRetryMs?: number } = {},
  ) => {
    const b = await Bus.connect({
      principal,
      name: `cluster-${principal}`,
      nats: { servers: urls, user, password: passwords[user]!, pingInterval: 1_000, maxPingsOut: 2, connectTimeout: 2_000 },
      failFast: true,
      logger: (o.logger ?? memoryLogger(principal)).logger,
      streams: { replicas: o.replicas ?? 3 },
      ...(o.publishRetryMs !== undefined ? { publishRetryMs: o.publishRetryMs } : {}),
    });
    clients.push(b);
    return b;
  };
  const cluster: TestCluster = {
    nodes,
    urls,
    passwords,
    bus: (p, o) => connect(p, p, o),
    admin: () => connect("cli", ADMIN_USER),
    async provisionStreams() {
      for (const owner of new Set(catalog.streams.map((s) => s.owner))) {
        if (!(owner in cluster.passwords)) continue; // an example principal: no user in a deployment
        const b = await connect(owner, owner);
        await eventually(
          async () => {
            await b.ensureStreams(catalog.streams.filter((s) => s.owner === owner));
            return true;
          },
          60_000,
          `streams of ${owner}`,
        );
      }
    },
    async leaderOf(stream, consumer) {
      const admin = await cluster.admin();
      const jsm = await admin.jsm();
      const info = consumer ? await jsm.consumers.info(stream, consumer) : await jsm.streams.info(stream);
      const leader = info.cluster?.leader;
      const i = CLUSTER_NODES.findIndex((n) => `lag-${n}` === leader);
      if (i < 0) throw new Error(`${consumer ?? stream} has no leader yet (${leader ?? "none"})`);
      await admin.close();
      return i;
    },
    freeze: (i) => void nodes[i]!.server.child.kill("SIGSTOP"),
    thaw: (i) => void nodes[i]!.server.child.kill("SIGCONT"),
    async stop() {
      for (const n of nodes) n.server.child.kill("SIGCONT");
      await Promise.allSettled(clients.map((c) => c.close()));
      await Promise.allSettled(nodes.map((n) => n.stop()));
    },
  };
  // Ready when an R3 stream can be placed: the meta-group has a leader and all three peers.
  const probe = await cluster.admin();
  try {
    await eventually(
      async () => {
        const jsm = await probe.jsm();
        await jsm.streams.add({ name: "LAG_CLUSTER_PROBE", subjects: ["lag.probe.cluster"], num_replicas: 3, storage: StorageType.Memory });
        await jsm.streams.delete("LAG_CLUSTER_PROBE");
        return true;
      },
      45_000,
      "JetStream cluster with three peers",
    );
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  await probe.close();
  return cluster;
}
