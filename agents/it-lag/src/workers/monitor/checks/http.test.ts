import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpCheck, type CheckInput } from "./check-config.ts";
import { makeCertificate, type TestCertificate } from "@lag/testing";
import { freePort } from "./dnsmasq.fixture.ts";
import { published, realNow } from "./results.fixture.ts";
import { httpServer, httpsServer, silentServer, type TestServer } from "./servers.fixture.ts";
import { run } from "./http.ts";

const check = (fields: Omit<Extract<CheckInput, { kind: "http" }>, "kind" | "name">) =>
  HttpCheck.parse({ name: "web", kind: "http", ...fields });

describe("http check against a local HTTP server", () => {
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await httpServer((req, res) => {
      if (req.url === "/ok") return void res.end("status: ok");
      if (req.url === "/down") return void res.writeHead(503, "Service Unavailable").end("maintenance");
      if (req.url === "/moved") return void res.writeHead(301, { location: "/ok" }).end();
      if (req.url === "/headers") return void res.end(JSON.stringify(req.headers));
      res.writeHead(404).end();
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it("reports 200 as up, with the status and the latency", async () => {
    const t0 = performance.now();
    const r = published(await run(check({ url: `${base}/ok` }), realNow));
    const elapsed = performance.now() - t0;
    expect(r).toMatchObject({ check: "web", kind: "http", target: `${base}/ok`, ok: true, httpStatus: 200, detail: "200 OK" });
    // Milliseconds of this request: more than nothing, no more than the call took.
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.latencyMs).toBeLessThanOrEqual(elapsed);
  });

  it("reports 503 as down, naming the expected and the actual status", async () => {
    const r = published(await run(check({ url: `${base}/down` }), realNow));
    expect(r).toMatchObject({ ok: false, httpStatus: 503, detail: "expected status 200-399, got 503" });
    const listed = published(await run(check({ url: `${base}/down`, expectStatus: [200, 204] }), realNow));
    expect(listed.detail).toBe("expected status one of 200, 204, got 503");
  });

  it("accepts the status the operator expects, even an error one", async () => {
    const r = published(await run(check({ url: `${base}/down`, expectStatus: 503 }), realNow));
    expect(r).toMatchObject({ ok: true, httpStatus: 503 });
  });

  it("does not follow redirects: a 301 is up by default and down when 200 is required", async () => {
    expect(published(await run(check({ url: `${base}/moved` }), realNow))).toMatchObject({ ok: true, httpStatus: 301 });
    expect(published(await run(check({ url: `${base}/moved`, expectStatus: 200 }), realNow))).toMatchObject({
      ok: false,
      detail: "expected status 200, got 301",
    });
  });

  it("passes when the body matches bodyMatch and fails, saying so, when it does not", async () => {
    const hit = published(await run(check({ url: `${base}/ok`, bodyMatch: "status: (ok|degraded)" }), realNow));
    expect(hit).toMatchObject({ ok: true, detail: "200 OK, body matches /status: (ok|degraded)/" });
    const miss = published(await run(check({ url: `${base}/down`, expectStatus: 503, bodyMatch: "^ok$" }), realNow));
    expect(miss).toMatchObject({ ok: false, httpStatus: 503, detail: "body does not match /^ok$/" });
  });

  it("sends the configured headers", async () => {
    const r = published(
      await run(
        check({ url: `${base}/headers`, headers: { authorization: "Bearer t0ken" }, bodyMatch: '"authorization":"Bearer t0ken"' }),
        realNow,
      ),
    );
    expect(r.ok).toBe(true);
  });

  it("reports a closed port as connection refused", async () => {
    const port = await freePort();
    const r = published(await run(check({ url: `http://127.0.0.1:${port}/` }), realNow));
    expect(r).toMatchObject({ ok: false, detail: "connection refused" });
    expect(r.httpStatus).toBeUndefined();
  });

  it("gives up on a server that never answers after the timeout, and closes the connection", async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const r = published(await run(check({ url: `http://127.0.0.1:${silent.port}/`, timeout: 300 }), realNow));
      expect(r).toMatchObject({ ok: false, detail: "timed out after 300 ms" });
      // It waited for the timeout (never gave up early); the detail says the timeout ended it.
      expect(Date.now() - started).toBeGreaterThanOrEqual(295);
      // No half-open socket is left behind every interval.
      await expect.poll(() => silent.open, { timeout: 2000 }).toBe(0);
      expect(silent.accepted).toBe(1);
    } finally {
      await silent.close();
    }
  });
});

describe("http check through a name-based HTTPS virtual host (Traefik-style)", () => {
  let server: TestServer;
  let photos: TestCertificate;
  let dir: string;
  let photosCa: string;
  const hosts: string[] = [];

  beforeAll(async () => {
    const in90Days = new Date(Date.now() + 90 * 86_400_000);
    const other = await makeCertificate({ name: "default.test", notAfter: in90Days });
    photos = await makeCertificate({ name: "photos.test", notAfter: in90Days });
    // The default certificate comes first: a client that sends no SNI gets it, as with Traefik.
    server = await httpsServer({ "default.test": other, "photos.test": photos }, (req, res) => {
      hosts.push(req.headers.host ?? "");
      if (req.headers.host === "photos.test") return void res.end("photos: pong");
      res.writeHead(404).end("404 page not found");
    });
    dir = await mkdtemp(join(tmpdir(), "lag-http-ca-"));
    photosCa = join(dir, "photos-ca.pem");
    await writeFile(photosCa, photos.cert);
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reaches the virtual host by Host header over a self-signed certificate with insecure", async () => {
    const url = `https://127.0.0.1:${server.port}/api/ping`;
    const r = published(await run(check({ url, hostHeader: "photos.test", insecure: true, bodyMatch: "pong" }), realNow));
    expect(r).toMatchObject({ ok: true, httpStatus: 200, target: `${url} (Host: photos.test)` });
    expect(hosts.at(-1)).toBe("photos.test");
    // Without the Host header the router has no match, as Traefik answers 404.
    const bare = published(await run(check({ url, insecure: true }), realNow));
    expect(bare).toMatchObject({ ok: false, httpStatus: 404 });
  });

  it("verifies the certificate against a given CA, sending the Host header's name as SNI", async () => {
    const url = `https://127.0.0.1:${server.port}/`;
    const r = published(await run(check({ url, hostHeader: "photos.test", ca: photosCa }), realNow));
    expect(r).toMatchObject({ ok: true, httpStatus: 200 });
    // Another vhost name gets the default certificate by SNI, which that CA did not sign.
    const wrongVhost = published(await run(check({ url, hostHeader: "default.test", ca: photosCa }), realNow));
    expect(wrongVhost.ok).toBe(false);
    expect(wrongVhost.detail).toMatch(/^TLS certificate not trusted/);
  });

  it("refuses a self-signed certificate unless told otherwise, and says how to allow it", async () => {
    const r = published(await run(check({ url: `https://127.0.0.1:${server.port}/`, hostHeader: "photos.test" }), realNow));
    expect(r.ok).toBe(false);
    expect(r.detail).toBe("TLS certificate not trusted: self-signed certificate (set insecure: true, or ca: the CA's PEM file)");
  });

  it("reports a missing CA file instead of throwing", async () => {
    const r = published(
      await run(check({ url: `https://127.0.0.1:${server.port}/`, hostHeader: "photos.test", ca: join(dir, "nope.pem") }), realNow),
    );
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^cannot read the CA file .*nope\.pem: ENOENT/);
  });

  it("says when an https URL reaches a plain HTTP port", async () => {
    const plain = await httpServer((_req, res) => res.end("ok"));
    try {
      const r = published(await run(check({ url: `https://127.0.0.1:${plain.port}/`, insecure: true }), realNow));
      expect(r).toMatchObject({ ok: false, detail: expect.stringMatching(/^TLS handshake failed/) });
    } finally {
      await plain.close();
    }
  });
});
