import { afterAll, describe, expect, it } from "vitest";
import { dockerCli, ensureBusyboxImage, removeContainers, requireDocker, runContainer, testContainerPrefix } from "@lag/testing";
import { DockerEngine } from "./engine.ts";
import { DockerError } from "./errors.ts";

const prefix = testContainerPrefix("engine");
const engine = new DockerEngine();
afterAll(async () => {
  engine.close();
  await removeContainers(prefix);
});

const inspect = async (name: string) => engine.inspectContainer((await dockerCli(["inspect", "-f", "{{.Id}}", name])).stdout.trim());

describe("DockerEngine against a real engine", () => {
  it("restarts, stops and starts a container, as runbooks and backup hooks do", async () => {
    await requireDocker();
    const image = await ensureBusyboxImage();
    await runContainer(["--name", `${prefix}svc`, image, "sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]);
    const before = await inspect(`${prefix}svc`);
    expect(before.State.Running).toBe(true);

    await engine.restartContainer(before.Id, 2);
    const restarted = await inspect(`${prefix}svc`);
    expect(restarted.State.Running).toBe(true);
    expect(Date.parse(restarted.State.StartedAt!)).toBeGreaterThan(Date.parse(before.State.StartedAt!));

    await engine.stopContainer(before.Id, 2);
    expect((await inspect(`${prefix}svc`)).State.Status).toBe("exited");
    await engine.stopContainer(before.Id, 2); // already stopped: fine
    await engine.startContainer(before.Id);
    await engine.startContainer(before.Id); // already running: fine
    expect((await inspect(`${prefix}svc`)).State.Running).toBe(true);
  });

  it("prunes dangling images and the build cache, saying how much was freed", async () => {
    await requireDocker();
    const images = await engine.pruneImages();
    expect(images.deleted).toBeGreaterThanOrEqual(0);
    expect(images.spaceReclaimedBytes).toBeGreaterThanOrEqual(0);
    const cache = await engine.pruneBuildCache().catch((e: unknown) => e);
    // An engine without BuildKit answers the build cache prune with an error, which says so.
    if (cache instanceof DockerError) expect(cache.code).toBe("DOCKER_API");
    else expect((cache as { spaceReclaimedBytes: number }).spaceReclaimedBytes).toBeGreaterThanOrEqual(0);
  });

  it("names the engine, the call and the status when the engine refuses", async () => {
    await requireDocker();
    const err = await engine.restartContainer("lag-no-such-container").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect(err).toMatchObject({ code: "DOCKER_API", status: 404 });
    expect((err as Error).message).toMatch(
      /^Docker at \/var\/run\/docker\.sock answered restart lag-no-such- with HTTP 404: No such container: lag-no-such-container$/,
    );
  });
});
