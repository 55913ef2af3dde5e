import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bus, type NatsSettings } from "@lag/bus";
import { hostMetrics } from "@lag/contracts";
import { eventually, makeCertificate, memoryLogger, startTestNats, type TestNats } from "@lag/testing";

const dir = mkdtempSync(join(tmpdir(), "lag-connect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const connect = (nats: NatsSettings) =>
  Bus.connect({ principal: "cli", name: "connect-test", nats, failFast: true, logger: memoryLogger("t").logger });

/** A typed event goes out and comes back validated over the connection. */
async function roundTrip(bus: Bus): Promise<void> {
  const got: string[] = [];
  bus.subscribe(hostMetrics, (e) => void got.push(e.data.host));
  await bus.nc.flush();
  bus.emit(hostMetrics, hostMetrics.example);
  await eventually(() => got.length === 1);
  expect(got).toEqual([hostMetrics.example.host]);
}

describe("connecting over TLS (a server certificate made by the test)", () => {
  let nats: TestNats;
  const caFile = join(dir, "server-cert.pem");

  beforeAll(async () => {
    const cert = await makeCertificate({
      name: "nats.test",
      altNames: ["IP:127.0.0.1", "DNS:nats.test"],
      notAfter: new Date(Date.now() + 7 * 86_400_000),
    });
    writeFileSync(caFile, cert.cert);
    writeFileSync(join(dir, "server-key.pem"), cert.key);
    nats = await startTestNats({ extraConfig: `tls { cert_file: "${caFile}", key_file: "${join(dir, "server-key.pem")}" }` });
  });
  afterAll(() => nats.stop());

  it("connects with the CA file from the settings, and messages flow", async () => {
    const bus = await connect({ servers: [nats.url], tls: { caFile } });
    try {
      expect(bus.nc.info?.tls_required).toBe(true);
      await roundTrip(bus);
    } finally {
      await bus.close();
    }
  });

  it("refuses a certificate that is valid for another name than the address dialled", async () => {
    const other = await makeCertificate({ name: "elsewhere.test", notAfter: new Date(Date.now() + 7 * 86_400_000) });
    const otherCert = join(dir, "other-cert.pem");
    writeFileSync(otherCert, other.cert);
    writeFileSync(join(dir, "other-key.pem"), other.key);
    const elsewhere = await startTestNats({ extraConfig: `tls { cert_file: "${otherCert}", key_file: "${join(dir, "other-key.pem")}" }` });
    try {
      const err = await connect({ servers: [elsewhere.url], tls: { caFile: otherCert } }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect(String((err as Error).message) + String((err as Error).cause ?? "")).toMatch(
        /not valid for 127\.0\.0\.1 \(DNS:elsewhere\.test\)/,
      );
    } finally {
      await elsewhere.stop();
    }
  });

  it("refuses a server whose certificate it cannot verify, saying so", async () => {
    const err = await connect({ servers: [nats.url] }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message) + String((err as Error).cause ?? "")).toMatch(/self[- ]signed|certificate/i);
  });
});

describe("connecting with an nkey", () => {
  let nats: TestNats;
  const user = createUser();
  const seedFile = join(dir, "user.nk");

  beforeAll(async () => {
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
    nats = await startTestNats({ extraConfig: `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }` });
  });
  afterAll(() => nats.stop());

  it("signs the server's challenge with the seed from a file (trailing newline and all)", async () => {
    const bus = await connect({ servers: [nats.url], nkeyFile: seedFile });
    try {
      await roundTrip(bus);
    } finally {
      await bus.close();
    }
  });

  it("is refused with another key, and the error says authorization", async () => {
    const other = createUser();
    const err = await connect({ servers: [nats.url], nkeySeed: new TextDecoder().decode(other.getSeed()) }).catch(
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/authorization/i);
  });
});
