import { describe, expect, it } from "vitest";
import { lineTime, parseAttempt } from "./failed-logins.ts";
import { globRegex } from "./log-cleanup.ts";
import { osUpdates, parseAptSimulation } from "./os-updates.ts";
import { DOCKER_HUB, parseChallenge, parseImageRef } from "./registry.ts";
import { newerTags } from "./semver.ts";
import { digestsIn } from "./image-updates.ts";

describe("image references, as Docker reads them", () => {
  it.each([
    ["nginx", { registry: DOCKER_HUB, repository: "library/nginx", tag: "latest" }],
    ["nginx:1.27", { registry: DOCKER_HUB, repository: "library/nginx", tag: "1.27" }],
    ["docker.io/grafana/grafana:11.3.0", { registry: DOCKER_HUB, repository: "grafana/grafana", tag: "11.3.0" }],
    ["ghcr.io/immich-app/immich-server:release", { registry: "ghcr.io", repository: "immich-app/immich-server", tag: "release" }],
    ["127.0.0.1:5000/lag/app:1.0", { registry: "127.0.0.1:5000", repository: "lag/app", tag: "1.0" }],
    ["localhost/app", { registry: "localhost", repository: "app", tag: "latest" }],
    ["lag/busybox:test", { registry: DOCKER_HUB, repository: "lag/busybox", tag: "test" }],
    ["app@sha256:abc", { registry: DOCKER_HUB, repository: "library/app", digest: "sha256:abc" }],
    ["ghcr.io/a/b:1.2@sha256:abc", { registry: "ghcr.io", repository: "a/b", tag: "1.2", digest: "sha256:abc" }],
  ])("%s", (ref, want) => expect(parseImageRef(ref)).toEqual(want));

  it("keeps only the digests of the container's own repository", () => {
    const ref = parseImageRef("127.0.0.1:5000/lag/web:1.0");
    expect(
      digestsIn(
        ["127.0.0.1:5000/lag/app@sha256:a", "127.0.0.1:5000/lag/web@sha256:b", "127.0.0.1:5000/lag/web@sha256:b", "web@sha256:c"],
        ref,
      ),
    ).toEqual(["sha256:b"]);
    expect(digestsIn(["nginx@sha256:d"], parseImageRef("docker.io/library/nginx:1"))).toEqual(["sha256:d"]);
  });

  it("reads a WWW-Authenticate challenge", () => {
    expect(
      parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'),
    ).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/nginx:pull" },
    });
    expect(parseChallenge('Basic realm="Registry Realm"').scheme).toBe("basic");
  });
});

describe("newer semver tags", () => {
  it("lists releases newer than the running one, newest first, written the same way", () => {
    expect(newerTags("1.4.2", ["1.4.1", "1.4.2", "1.4.10", "1.5", "2.0.0", "2.1.0-rc1", "latest", "v3.0.0"])).toEqual([
      "2.0.0",
      "1.5",
      "1.4.10",
    ]);
    expect(newerTags("v1.2.0", ["v1.10.0", "1.9.0", "v1.2.1"])).toEqual(["v1.10.0", "v1.2.1"]);
    expect(newerTags("latest", ["1.0.0"])).toEqual([]);
  });
});

describe("apt's simulation", () => {
  it("reads each package it would install, security ones told by their origin", () => {
    const pkgs = parseAptSimulation(
      [
        "Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])",
        "Inst linux-image-6.1.0-29-amd64 (6.1.123-1 Debian:12.9/stable [amd64])",
        "Conf libssl3 (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])",
        "Inst tzdata [2024b-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable, Debian:12.11/stable-updates [all])",
      ].join("\n"),
    );
    expect(pkgs).toEqual([
      { name: "libssl3", from: "3.0.15-1~deb12u1", to: "3.0.17-1~deb12u2", origin: "Debian-Security:12/stable-security", security: true },
      { name: "linux-image-6.1.0-29-amd64", to: "6.1.123-1", origin: "Debian:12.9/stable", security: false },
      {
        name: "tzdata",
        from: "2024b-0+deb12u1",
        to: "2025b-0+deb12u1",
        origin: "Debian:12.11/stable, Debian:12.11/stable-updates",
        security: false,
      },
    ]);
  });

  it("runs the real apt-get of this machine (nothing is installed: -s)", async () => {
    const u = await osUpdates({
      command: ["apt-get", "-s", "-o", "Debug::NoLocking=1", "dist-upgrade"],
      rebootRequiredFile: "/nonexistent/reboot-required",
    });
    expect(u.packages.length).toBe(Math.min(u.pending, 100));
    expect(u.security).toBeLessThanOrEqual(u.pending);
    expect(u.rebootRequired).toBe(false);
  }, 120_000);
});

describe("sshd's failed logins", () => {
  it("reads the attempts of every method, with the user tried and the address", () => {
    expect(parseAttempt("sshd[1]: Failed password for invalid user oracle from 203.0.113.7 port 41234 ssh2", 5)).toEqual({
      at: 5,
      user: "oracle",
      address: "203.0.113.7",
    });
    expect(parseAttempt("Failed publickey for ana from 2001:db8::7 port 22 ssh2: ED25519 SHA256:x", 1)?.address).toBe("2001:db8::7");
    expect(parseAttempt("Accepted password for ana from 198.51.100.4 port 2 ssh2", 1)).toBeUndefined();
  });

  it("dates auth.log lines in both formats rsyslog writes", () => {
    const now = new Date(2026, 11, 1, 12, 0, 0);
    expect(lineTime("2026-12-01T10:00:00.123456+00:00 kronos sshd[1]: …", now)).toBe(Date.parse("2026-12-01T10:00:00.123456+00:00"));
    expect(lineTime("Dec  1 10:00:00 kronos sshd[1]: …", now)).toBe(new Date(2026, 11, 1, 10, 0, 0).getTime());
    // December's line read in January is last year's.
    expect(lineTime("Dec 31 23:00:00 kronos sshd[1]: …", new Date(2027, 0, 1, 1, 0, 0))).toBe(new Date(2026, 11, 31, 23, 0, 0).getTime());
    expect(lineTime("garbage", now)).toBeUndefined();
  });
});

describe("log file patterns", () => {
  it("match names as a shell does", () => {
    const re = globRegex("*.log*");
    expect(["a.log", "a.log.1", "a.log.2.gz"].every((n) => re.test(n))).toBe(true);
    expect(re.test("a.txt")).toBe(false);
    expect(globRegex("app-?.log").test("app-1.log")).toBe(true);
  });
});
