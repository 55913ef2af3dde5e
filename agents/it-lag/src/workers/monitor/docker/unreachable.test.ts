import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ContainersSnapshot } from "@lag/contracts";
import { memoryLogger, requireDocker } from "@lag/testing";
import { DockerCollector } from "./collector.ts";

const dir = mkdtempSync(join(tmpdir(), "lag-docker-"));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collector(opts: Omit<ConstructorParameters<typeof DockerCollector>[0], "host">): DockerCollector {
  const c = new DockerCollector({ host: "test-host", ...opts });
  cleanups.push(() => c.close());
  return c;
}

function listen(server: Server, at: string | number): Promise<number> {
  return new Promise((res, rej) => {
    server.once("error", rej);
    server.listen(typeof at === "number" ? { port: at, host: "127.0.0.1" } : at, () => {
      const a = server.address();
      res(typeof a === "object" && a ? a.port : 0);
    });
  });
}

function serve(handler: (s: Socket) => void, at: string | number): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    handler(s);
  });
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return listen(server, at);
}

describe("DockerCollector without a Docker engine", () => {
  it("reports a missing socket as docker.available=false with a clear reason, never throws, and logs the outage once in 5 collections", async () => {
    const path = join(dir, "missing.sock");
    const log = memoryLogger("it-monitor");
    const c = collector({ connection: { socketPath: path }, logger: log.logger });
    for (let i = 0; i < 5; i++) {
      const snap = await c.collect(new Date());
      expect(ContainersSnapshot.parse(snap)).toEqual(snap);
      expect(snap.docker).toEqual({ available: false, error: `cannot reach Docker at ${path}: connect ENOENT — is dockerd running?` });
      expect(snap.containers).toEqual([]);
    }
    expect(log.lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual([
      `Docker unavailable: cannot reach Docker at ${path}: connect ENOENT — is dockerd running? (reported as docker.available=false until it answers again)`,
    ]);
    expect(log.lines.filter((l) => l.level === "error" || l.level === "fatal")).toEqual([]);
  });

  it("logs once when Docker comes back and once when it goes again", async () => {
    await requireDocker();
    // A path that appears and disappears: a symlink to the real engine's socket.
    const path = join(dir, "flapping.sock");
    const log = memoryLogger("it-monitor");
    const c = collector({ connection: { socketPath: path }, logger: log.logger });
    expect((await c.collect()).docker.available).toBe(false);
    symlinkSync("/var/run/docker.sock", path);
    cleanups.push(() => rmSync(path, { force: true }));
    for (let i = 0; i < 3; i++) {
      const snap = await c.collect();
      expect(snap.docker).toEqual({ available: true, version: expect.stringMatching(/^\d+\.\d+/) });
    }
    unlinkSync(path);
    c.close(); // kept-alive connections would otherwise still reach the engine through the old link
    for (let i = 0; i < 3; i++) expect((await c.collect()).docker.available).toBe(false);
    const transitions = log.lines.filter((l) => l.level !== "debug").map((l) => `${l.level}: ${l.msg}`);
    expect(transitions).toHaveLength(3);
    expect(transitions[0]).toMatch(/^warn: Docker unavailable: cannot reach Docker at .*flapping\.sock: connect ENOENT/);
    expect(transitions[1]).toMatch(/^info: Docker reachable again at .*flapping\.sock after \d+ s$/);
    expect(transitions[2]).toMatch(/^warn: Docker unavailable/);
  });

  it("gives up on an engine that accepts the connection but never answers, within the call timeout", async () => {
    const path = join(dir, "hung.sock");
    await serve(() => undefined, path);
    const c = collector({ connection: { socketPath: path, timeoutMs: 300 } });
    const t0 = performance.now();
    const snap = await c.collect();
    // Ended by the call timeout (the error says so), not before it.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(295);
    expect(snap.docker).toEqual({
      available: false,
      error: `Docker at ${path} did not answer list containers within 300 ms — is dockerd hung or overloaded?`,
    });
  });

  it("reports a refused TCP endpoint with the address it tried", async () => {
    const port = await serve((s) => s.destroy(), 0);
    // Free the port again so nothing listens there: the next connection is refused.
    await cleanups.pop()!();
    const c = collector({ connection: { host: `tcp://127.0.0.1:${port}` } });
    const snap = await c.collect();
    expect(snap.docker.available).toBe(false);
    expect(snap.docker.error).toBe(
      `cannot reach Docker at tcp://127.0.0.1:${port}: connect ECONNREFUSED — is dockerd running and listening there?`,
    );
  });

  it("reaches the engine through a tcp:// DOCKER_HOST", async () => {
    await requireDocker();
    // dockerd here listens only on its socket; a loopback TCP relay to it stands in for a remote engine.
    const port = await serve((s) => {
      const up = connect("/var/run/docker.sock");
      s.pipe(up).pipe(s);
      up.on("error", () => s.destroy());
      s.on("error", () => up.destroy());
      s.on("close", () => up.destroy());
    }, 0);
    const c = collector({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
    expect(c.endpoint).toBe(`tcp://127.0.0.1:${port}`);
    const snap = await c.collect();
    expect(ContainersSnapshot.parse(snap)).toEqual(snap);
    expect(snap.docker).toEqual({ available: true, version: expect.any(String) });
  });

  it("reports an invalid endpoint in every snapshot instead of throwing", async () => {
    const c = collector({ env: { DOCKER_HOST: "ssh://admin@nas" } });
    const snap = await c.collect();
    expect(snap.docker).toEqual({
      available: false,
      error: "DOCKER_HOST=ssh://admin@nas is not supported: use unix:///path/to/docker.sock or tcp://host:port",
    });
  });

  it("reports an unreadable TLS file by name", async () => {
    const c = collector({
      connection: {
        host: "tcp://127.0.0.1:2376",
        tls: { ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") },
      },
    });
    const snap = await c.collect();
    expect(snap.docker.error).toBe(`cannot read the Docker TLS CA file ${join(dir, "ca.pem")}: ENOENT`);
  });
});
