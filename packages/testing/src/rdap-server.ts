import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProgram } from "@lag/command";
import { freePort } from "@lag/launcher";
import { eventually } from "./wait.ts";

export interface TestRdapServer {
  /** `http://127.0.0.1:<port>/rdap/`: an RDAP base URL, as IANA's bootstrap lists them. */
  base: string;
  /** Serves `domain` with these events (expiration when `expiresAt` is given); waits until the server shows it. */
  put(domain: string, o: { expiresAt?: string; registeredAt?: string }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * ICANN's own RDAP server (`rdap-srv`, Debian's icann-rdap-srv, put in .tools/bin by the setup) on a
 * free loopback port, serving domain objects from JSON files in a temporary folder; a `reload`
 * file makes it read them again, so a test can move an expiry while it runs.
 */
export async function startRdapServer(): Promise<TestRdapServer> {
  const program = findProgram("rdap-srv", "LAG_RDAP_SRV");
  const dir = mkdtempSync(join(tmpdir(), "lag-rdap-"));
  const port = await freePort();
  let out = "";
  const child: ChildProcess = spawn(program, [], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      RDAP_SRV_DATA_DIR: dir,
      RDAP_SRV_STORAGE: "memory",
      RDAP_SRV_LISTEN_ADDR: "127.0.0.1",
      RDAP_SRV_LISTEN_PORT: String(port),
      RDAP_SRV_AUTO_RELOAD: "true",
      RDAP_SRV_LOG: "warn",
    },
  });
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const base = `http://127.0.0.1:${port}/rdap/`;
  await eventually(
    async () => (await fetch(`${base}help`).catch(() => undefined)) !== undefined,
    10_000,
    `rdap-srv to listen on ${port}; it said: ${out}`,
  );
  return {
    base,
    async put(domain, o) {
      const events = [
        { eventAction: "registration", eventDate: o.registeredAt ?? "2020-01-01T00:00:00Z" },
        ...(o.expiresAt ? [{ eventAction: "expiration", eventDate: o.expiresAt }] : []),
      ];
      const obj = {
        rdapConformance: ["rdap_level_0"],
        objectClassName: "domain",
        handle: domain.replace(/\W/g, "-").toUpperCase(),
        ldhName: domain,
        links: [{ value: `${base}domain/${domain}`, rel: "self", href: `${base}domain/${domain}`, type: "application/rdap+json" }],
        events,
      };
      writeFileSync(join(dir, `test_domain_${domain.replace(/\W/g, "_")}.json`), JSON.stringify(obj));
      writeFileSync(join(dir, "reload"), "");
      await eventually(
        async () => {
          const r = await fetch(`${base}domain/${domain}`).catch(() => undefined);
          if (r?.status !== 200) return false;
          const body = (await r.json()) as { events?: { eventAction: string; eventDate: string }[] };
          const exp = body.events?.find((e) => e.eventAction === "expiration")?.eventDate;
          return o.expiresAt ? exp !== undefined && Date.parse(exp) === Date.parse(o.expiresAt) : exp === undefined;
        },
        10_000,
        `rdap-srv to serve ${domain}; it said: ${out}`,
      );
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
