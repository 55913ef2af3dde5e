import { describe, expect, it } from "vitest";
import type { Container } from "@lag/contracts";
import { containerUp, RESTART_GRACE_MS, samplesFromContainers } from "./samples.ts";

const now = Date.parse("2026-12-01T10:00:00Z");
const ago = (ms: number) => new Date(now - ms).toISOString();
const c = (over: Partial<Container>): Container => ({
  id: "0123456789ab",
  name: "app",
  image: "x",
  state: "running",
  health: "none",
  restartCount: 0,
  ...over,
});

describe("containerUp", () => {
  it("is up when running, down when stopped for good", () => {
    expect(containerUp(c({}), now)).toBe(1);
    expect(containerUp(c({ state: "exited", exitCode: 137, restartPolicy: "no", finishedAt: ago(5_000) }), now)).toBe(0);
    expect(containerUp(c({ state: "dead", restartPolicy: "always" }), now)).toBe(0);
  });

  it("takes a one-shot container that finished cleanly without a restart policy as done, not down", () => {
    expect(containerUp(c({ state: "exited", exitCode: 0, restartPolicy: "no" }), now)).toBeUndefined();
    expect(containerUp(c({ state: "exited", exitCode: 1, restartPolicy: "no" }), now)).toBe(0);
    // …unless the operator says it must run.
    expect(containerUp(c({ state: "exited", exitCode: 0, restartPolicy: "no", labels: { "lag.expect": "running" } }), now)).toBe(0);
    expect(containerUp(c({ state: "exited", exitCode: 2, labels: { "lag.expect": "finished" } }), now)).toBeUndefined();
  });

  it("counts a container Docker is restarting by its policy as up, so a loop is one alert (restart loop), not a flapping down alert", () => {
    expect(containerUp(c({ state: "restarting", restartPolicy: "always" }), now)).toBe(1);
    expect(containerUp(c({ state: "exited", exitCode: 1, restartPolicy: "always", finishedAt: ago(2_000) }), now)).toBe(1);
    expect(containerUp(c({ state: "exited", exitCode: 1, restartPolicy: "on-failure", finishedAt: ago(2_000) }), now)).toBe(1);
    // on-failure does not restart a clean exit; nothing restarts a container stopped for longer than Docker's back-off.
    expect(containerUp(c({ state: "exited", exitCode: 0, restartPolicy: "on-failure", finishedAt: ago(2_000) }), now)).toBe(0);
    expect(
      containerUp(c({ state: "exited", exitCode: 0, restartPolicy: "unless-stopped", finishedAt: ago(RESTART_GRACE_MS + 1) }), now),
    ).toBe(0);
  });

  it("gives no container.up sample for a finished one-shot container", () => {
    const samples = samplesFromContainers({
      host: "kronos",
      time: new Date(now).toISOString(),
      docker: { available: true },
      containers: [c({ name: "migrate", state: "exited", exitCode: 0, restartPolicy: "no" }), c({ name: "web" })],
    });
    expect(samples.filter((x) => x.metric === "container.up").map((x) => x.labels.container)).toEqual(["web"]);
  });
});
