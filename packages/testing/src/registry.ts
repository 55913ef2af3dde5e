import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSign, randomUUID, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProgram } from "@lag/command";
import { freePort } from "@lag/launcher";
import { eventually } from "./wait.ts";

export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry's host, as image references name it. */
  host: string;
  /** The token service's credentials: every token (pull or push) needs them. */
  user: string;
  password: string;
  /** Token requests seen, with the scope asked and whether the credentials were right. */
  tokenRequests: { scope: string; authorized: boolean }[];
  /** PUT a manifest (or manifest list) as the registry's HTTP API takes it; resolves with its digest. */
  putManifest(repository: string, tag: string, mediaType: string, body: string): Promise<string>;
  stop(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/**
 * Debian's `docker-registry` (distribution 2.8) on a free loopback port with token authentication
 * as Docker Hub and GHCR do it: a 401 names a token service (a small HTTP server here, the
 * stand-in for auth.docker.io) that hands out RS256 JWTs signed with a key whose certificate the
 * registry trusts. The daemon pushes to it over plain HTTP (loopback registries are insecure by
 * default); `docker --config DIR login` keeps the credentials out of the machine's own config.
 */
export async function startRegistry(): Promise<TestRegistry> {
  const program = findProgram("docker-registry", "LAG_DOCKER_REGISTRY");
  const dir = mkdtempSync(join(tmpdir(), "lag-registry-"));
  const [port, tokenPort] = [await freePort(), await freePort()];
  const key = join(dir, "token.key");
  const cert = join(dir, "token.crt");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=lag-test-token", "-days", "2", "-keyout", key, "-out", cert],
    {
      stdio: "ignore",
    },
  );
  const keyPem = readFileSync(key, "utf8");
  const der = new X509Certificate(readFileSync(cert)).raw;
  const user = "lag";
  const password = `pw-${randomUUID().slice(0, 8)}`;
  const service = "lag-test-registry";
  const issuer = "lag-test-issuer";
  const tokenRequests: TestRegistry["tokenRequests"] = [];

  const token = (scope: string): string => {
    const [type, name, actions] = scope.split(":");
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", x5c: [der.toString("base64")] }));
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: user,
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access: type && name && actions ? [{ type, name, actions: actions.split(",") }] : [],
      }),
    );
    const signature = createSign("RSA-SHA256").update(`${header}.${claims}`).sign(keyPem);
    return `${header}.${claims}.${b64url(signature)}`;
  };

  const tokens: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const scope = url.searchParams.get("scope") ?? "";
    const auth = req.headers.authorization ?? "";
    const authorized = auth === `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    tokenRequests.push({ scope, authorized });
    if (!authorized) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ details: "incorrect username or password" }));
      return;
    }
    const t = token(scope);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: t, access_token: t, expires_in: 300 }));
  });
  await new Promise<void>((r) => tokens.listen(tokenPort, "127.0.0.1", r));

  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    `version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: ${dir}/data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:${port}
auth:
  token:
    realm: http://127.0.0.1:${tokenPort}/token
    service: ${service}
    issuer: ${issuer}
    rootcertbundle: ${cert}
`,
  );
  let out = "";
  const child: ChildProcess = spawn(program, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const host = `127.0.0.1:${port}`;
  await eventually(
    async () => (await fetch(`http://${host}/v2/`).catch(() => undefined))?.status === 401,
    10_000,
    `docker-registry to listen on ${port}; it said: ${out}`,
  );
  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  return {
    host,
    user,
    password,
    tokenRequests,
    async putManifest(repository, tag, mediaType, body) {
      const scope = `repository:${repository}:pull,push`;
      const t = (await (
        await fetch(`http://127.0.0.1:${tokenPort}/token?service=${service}&scope=${encodeURIComponent(scope)}`, {
          headers: { authorization: basic },
        })
      ).json()) as { token: string };
      const r = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${t.token}`, "content-type": mediaType },
        body,
      });
      if (r.status !== 201) throw new Error(`PUT manifest ${repository}:${tag}: ${r.status} ${await r.text()}`);
      return r.headers.get("docker-content-digest")!;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      await new Promise((r) => tokens.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
