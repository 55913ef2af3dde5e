import { describe, expect, it } from "vitest";
import { DockerConnection, resolveEndpoint } from "./connection.ts";
import { DockerError } from "./errors.ts";

describe("where the collector connects", () => {
  it("uses /var/run/docker.sock when neither config nor DOCKER_HOST names an engine", () => {
    expect(resolveEndpoint({}, {})).toEqual({ kind: "unix", socketPath: "/var/run/docker.sock", label: "/var/run/docker.sock" });
  });

  it("prefers what the config names to DOCKER_HOST, and DOCKER_HOST to the default socket", () => {
    const env = { DOCKER_HOST: "tcp://nas:2375" };
    expect(resolveEndpoint({ host: "unix:///run/user/1000/docker.sock" }, env)).toMatchObject({
      kind: "unix",
      socketPath: "/run/user/1000/docker.sock",
    });
    expect(resolveEndpoint({ socketPath: "/x.sock" }, env)).toMatchObject({ kind: "unix", socketPath: "/x.sock" });
    expect(resolveEndpoint({}, env)).toMatchObject({ kind: "tcp", hostname: "nas", port: 2375 });
  });

  it("defaults the port by Docker's convention: 2375 plain, 2376 with TLS", () => {
    expect(resolveEndpoint({ host: "tcp://nas" }, {})).toMatchObject({ port: 2375, label: "tcp://nas:2375" });
    const tls = { ca: "/c/ca.pem", cert: "/c/cert.pem", key: "/c/key.pem" };
    expect(resolveEndpoint({ host: "tcp://nas", tls }, {})).toMatchObject({ port: 2376, tls });
  });

  it("takes TLS files from DOCKER_CERT_PATH along with DOCKER_HOST, as the docker CLI does", () => {
    expect(resolveEndpoint({}, { DOCKER_HOST: "tcp://10.0.0.5:2376", DOCKER_CERT_PATH: "/etc/lag/docker" })).toMatchObject({
      hostname: "10.0.0.5",
      tls: { ca: "/etc/lag/docker/ca.pem", cert: "/etc/lag/docker/cert.pem", key: "/etc/lag/docker/key.pem" },
    });
  });

  it("rejects ssh:// and other schemes with a message saying what to use", () => {
    expect(() => resolveEndpoint({}, { DOCKER_HOST: "ssh://admin@nas" })).toThrow(DockerError);
    expect(DockerConnection.safeParse({ host: "ssh://nas" }).success).toBe(false);
    expect(DockerConnection.safeParse({ socketPath: "relative.sock" }).success).toBe(false);
  });

  it("defaults the per-call timeout to 5 s", () => {
    expect(DockerConnection.parse({}).timeoutMs).toBe(5_000);
  });
});
