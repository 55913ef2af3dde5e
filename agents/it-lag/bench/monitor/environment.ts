/**
 * What the monitor watches during the benchmark, all on this machine: a real nats-server, ten service
 * checks against servers started here (HTTP, HTTPS through a Host header, TCP, TLS expiry, DNS against
 * dnsmasq) and ten running busybox containers on the local Docker engine. `stop()` removes it all.
 */
import {
  ensureBusyboxImage,
  makeCertificate,
  removeContainers,
  requireDocker,
  runContainer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
} from "@lag/testing";
// The monitor's own test servers: the same ones its check tests run against.
import { startDnsmasq, type TestDns } from "../../src/workers/monitor/checks/dnsmasq.fixture.ts";
import { httpServer, httpsServer, tcpServer, tlsServer, type TestServer } from "../../src/workers/monitor/checks/servers.fixture.ts";

export const CONTAINERS = 10;

export interface MonitorEnvironment {
  nats: TestNats;
  /** The `it.monitor.checks` list, as YAML-ready objects. */
  checks: Array<Record<string, unknown>>;
  /** Names of the containers started here (the engine may hold others, which the monitor sees too). */
  containers: string[];
  dockerVersion: string;
  /** What stood in for a missing tool (dnsmasq), if anything. */
  notes: string[];
  stop(): Promise<void>;
}

export async function startEnvironment(progress: (l: string) => void): Promise<MonitorEnvironment> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => progress(`cleanup failed: ${(err as Error).message}`));
  };
  try {
    const nats = await startTestNats();
    cleanups.push(() => nats.stop());

    const cert = await makeCertificate({ name: "photos.test", notAfter: new Date(Date.now() + 60 * 86_400_000) });
    const servers: TestServer[] = [];
    const serve = async (s: Promise<TestServer>) => {
      const srv = await s;
      servers.push(srv);
      cleanups.push(() => srv.close());
      return srv;
    };
    const web = await serve(httpServer((req, res) => res.end(req.url === "/health" ? "ok" : `hello from ${req.headers.host ?? "?"}`)));
    const app = await serve(httpServer((_req, res) => res.writeHead(204).end()));
    const https = await serve(httpsServer({ "photos.test": cert }, (_req, res) => res.end("pong")));
    const tls = await serve(tlsServer({ "photos.test": cert }));
    const smtp = await serve(tcpServer());
    const imap = await serve(tcpServer());

    const notes: string[] = [];
    let dns: TestDns | undefined;
    try {
      dns = await startDnsmasq({ hosts: { "kronos.test": ["192.168.1.10"] } });
      const d = dns;
      cleanups.push(() => d.stop());
    } catch (err) {
      notes.push(`no dnsmasq (${(err as Error).message.split("\n")[0]}): a fourth HTTP check stands in for the DNS one`);
    }
    const local = "127.0.0.1";
    const checks: Array<Record<string, unknown>> = [
      { name: "web", kind: "http", url: `http://${local}:${web.port}/` },
      { name: "web-health", kind: "http", url: `http://${local}:${web.port}/health`, bodyMatch: "^ok$" },
      { name: "app", kind: "http", url: `http://${local}:${app.port}/api/ping`, hostHeader: "app.test", expectStatus: 204 },
      {
        name: "photos",
        kind: "http",
        url: `https://${local}:${https.port}/api/server/ping`,
        hostHeader: "photos.test",
        insecure: true,
        bodyMatch: "pong",
      },
      { name: "smtp", kind: "tcp", host: local, port: smtp.port },
      { name: "imap", kind: "tcp", host: local, port: imap.port },
      { name: "nats", kind: "tcp", host: local, port: nats.port },
      { name: "photos-cert", kind: "tls", host: local, port: https.port, servername: "photos.test" },
      { name: "mail-cert", kind: "tls", host: local, port: tls.port, servername: "photos.test" },
      dns
        ? { name: "pihole", kind: "dns", query: "kronos.test", resolver: dns.resolver, expect: ["192.168.1.10"] }
        : { name: "web-2", kind: "http", url: `http://${local}:${web.port}/2` },
    ];

    progress("docker: building the busybox image and starting containers");
    const dockerVersion = await requireDocker();
    const image = await ensureBusyboxImage();
    const prefix = testContainerPrefix("bench-monitor");
    cleanups.push(() => removeContainers(prefix));
    const containers = Array.from({ length: CONTAINERS }, (_, i) => `${prefix}${i}`);
    await Promise.all(containers.map((name) => runContainer(["--name", name, image, "sleep", "3600"])));
    return { nats, checks, containers, dockerVersion, notes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
