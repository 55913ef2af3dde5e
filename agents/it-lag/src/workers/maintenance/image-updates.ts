import type { Clock } from "@lag/async";
import { imageUpdate, type ImageCheck } from "@lag/contracts";
import type { Outbox } from "@lag/worker";
import type { DockerEngine } from "../../docker/engine.ts";
import type { RaisedAlerts } from "../../raised-alerts.ts";
import type { MaintenanceBook } from "./book.ts";
import type { MaintenanceConfig } from "./config.ts";
import { parseImageRef, type ImageRef, type RegistryClient } from "./registry.ts";
import { newerTags } from "./semver.ts";

export const SEMVER_LABEL = "lag.maintenance.semver";

/**
 * The digests the image has in the container's own repository: RepoDigests holds one per
 * repository it was pulled from or pushed to (`127.0.0.1:5000/lag/app@sha256:…`); those of other
 * repositories say nothing about this tag.
 */
export function digestsIn(repoDigests: readonly string[], ref: ImageRef): string[] {
  const out = new Set<string>();
  for (const rd of repoDigests) {
    const at = rd.indexOf("@");
    if (at < 0) continue;
    const r = parseImageRef(rd.slice(0, at));
    if (r.registry === ref.registry && r.repository === ref.repository) out.add(rd.slice(at + 1));
  }
  return [...out];
}

/**
 * What Diun does, per running container rather than per image seen: the registry's digest for the
 * container's tag (the host's platform in a manifest list) against the digests of the image the
 * container runs (RepoDigests). An update pending is remembered with the time it was first seen,
 * told as an event then and again every `remindEvery` while it stays, and a low alert past
 * `alertAfter`. Nothing is updated.
 */
export class ImageUpdates {
  constructor(
    private readonly o: {
      cfg: MaintenanceConfig["images"];
      engine: DockerEngine;
      registry: RegistryClient;
      book: MaintenanceBook;
      alerts: RaisedAlerts;
      outbox: Outbox;
      clock: Clock;
      host: string;
      signal: AbortSignal;
    },
  ) {}

  async run(): Promise<{ containers: ImageCheck[]; pending: number }> {
    const { engine } = this.o;
    const running = (await engine.listContainers()).filter((c) => c.State === "running");
    const checks: ImageCheck[] = [];
    for (const c of running) {
      try {
        checks.push(await this.check(c.Id));
      } catch (err) {
        // Gone between the list and its inspection, or the engine failed on it: the others are still checked.
        const container = c.Names[0]?.replace(/^\//, "") ?? c.Id.slice(0, 12);
        checks.push({ container, image: c.Image, state: "error", localDigests: [], note: (err as Error).message });
      }
    }
    const names = new Set(checks.map((c) => c.container));
    // A container gone (or recreated under another name) has nothing pending any more.
    for (const p of this.o.book.allPending()) if (!names.has(p.container)) this.settle(p.container, "the container is gone");
    return { containers: checks, pending: checks.filter((c) => c.state === "update" || (c.newerTags?.length ?? 0) > 0).length };
  }

  private async check(id: string): Promise<ImageCheck> {
    const { engine, registry, cfg } = this.o;
    const inspect = await engine.inspectContainer(id);
    const container = inspect.Name.replace(/^\//, "");
    const image = inspect.Config?.Image ?? inspect.Image ?? "?";
    const ref = parseImageRef(image);
    const base: ImageCheck = {
      container,
      image,
      registry: ref.registry,
      repository: ref.repository,
      ...(ref.tag ? { tag: ref.tag } : {}),
      state: "unknown",
      localDigests: [],
    };
    if (ref.digest || !ref.tag) return { ...base, note: "pinned by digest: it cannot move" };
    const local = await engine.inspectImage(inspect.Image ?? image);
    const localDigests = digestsIn(local.RepoDigests ?? [], ref);
    if (localDigests.length === 0)
      return { ...base, note: `built or imported on this host: no digest from ${ref.registry}/${ref.repository} to compare` };
    const labels = inspect.Config?.Labels ?? {};
    const semver = labels[SEMVER_LABEL] !== undefined ? labels[SEMVER_LABEL] === "true" : cfg.semver;
    try {
      const platform = {
        os: local.Os ?? "linux",
        architecture: local.Architecture ?? "amd64",
        ...(local.Variant ? { variant: local.Variant } : {}),
      };
      const td = await registry.tagDigest(ref, platform, this.o.signal);
      const current = localDigests.includes(td.digest) || (td.platformDigest !== undefined && localDigests.includes(td.platformDigest));
      const newer = semver ? newerTags(ref.tag, await registry.tags(ref, this.o.signal)) : undefined;
      const check: ImageCheck = {
        ...base,
        localDigests,
        state: current ? "current" : "update",
        remoteDigest: td.digest,
        ...(td.platform ? { platform: td.platform, platformDigest: td.platformDigest } : {}),
        ...(newer ? { newerTags: newer } : {}),
      };
      const what = !current ? td.digest : newer?.[0];
      if (what) return this.pending(check, what);
      this.settle(container, `${image} is current`);
      return check;
    } catch (err) {
      return { ...base, localDigests, state: "error", note: (err as Error).message };
    }
  }

  /** Remembers since when something is pending, tells it when new and as a reminder, alerts when it stays too long. */
  private pending(check: ImageCheck, what: string): ImageCheck {
    const { book, clock, cfg } = this.o;
    const now = clock.now().getTime();
    const held = book.pending(check.container);
    // Pending since the registry first had something newer for the container, even if it moved again since.
    const since = held ? held.since : now;
    const due = !held || held.what !== what || now - held.reportedAt >= cfg.remindEvery;
    const out = { ...check, pendingSince: new Date(since).toISOString() };
    if (due) {
      this.o.outbox.add(imageUpdate, { ...out, at: new Date(now).toISOString(), host: this.o.host, reminder: held?.what === what });
      void this.o.outbox.flush();
    }
    book.setPending({ container: check.container, what, since, reportedAt: due ? now : held!.reportedAt });
    const labels = { container: check.container };
    if (now - since >= cfg.alertAfter) {
      const days = Math.floor((now - since) / 86_400_000);
      this.o.alerts.fire({
        rule: "image-update-pending",
        severity: "low",
        summary: `${check.container} runs ${check.image}, and the registry has had ${check.state === "update" ? "a newer image for that tag" : `newer tags (${check.newerTags!.slice(0, 3).join(", ")})`} for ${days} days`,
        labels,
        value: days,
      });
    }
    return out;
  }

  private settle(container: string, why: string): void {
    if (!this.o.book.pending(container)) return;
    this.o.book.clearPending(container);
    this.o.alerts.resolve("image-update-pending", { container }, why);
  }
}
