import { readSecret } from "@lag/config";
import type { MaintenanceConfig } from "./config.ts";

/** Docker Hub's registry host, where an image named without one lives (`nginx` is `registry-1.docker.io/library/nginx`). */
export const DOCKER_HUB = "registry-1.docker.io";

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  /** A reference pinned by digest (`app@sha256:…`): nothing to compare, it cannot move. */
  digest?: string;
}

/** `ghcr.io/immich-app/immich-server:release`, `nginx`, `127.0.0.1:5000/app:1.2`, `app@sha256:…`, as Docker reads them. */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  // The first part names a registry when it looks like a host (a dot, a port, or localhost), as Docker decides.
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  let registry = hasRegistry ? first : DOCKER_HUB;
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === "docker.io" || registry === "index.docker.io") registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository, ...(tag !== undefined ? { tag } : digest ? {} : { tag: "latest" }), ...(digest ? { digest } : {}) };
}

const LIST_TYPES = ["application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json"];
const MANIFEST_TYPES = ["application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"];
const ACCEPT = [...LIST_TYPES, ...MANIFEST_TYPES].join(", ");

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface TagDigest {
  /** Docker-Content-Digest of what the tag points at (a manifest list's own digest when it is one). */
  digest: string;
  list: boolean;
  /** In a list: the manifest for the platform asked, and its platform as `os/arch[/variant]`. */
  platformDigest?: string;
  platform?: string;
}

export class RegistryError extends Error {
  override readonly name = "RegistryError";
}

/** `Bearer realm="…",service="…",scope="…"` → its kind and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

/**
 * The Docker Registry HTTP API v2 as image-update checks need it: a tag's digest (HEAD, which
 * Docker Hub does not count against its pull limit; the body only for a manifest list, to find the
 * host's platform), and a repository's tags. A 401 is answered as Docker does it: a Bearer token
 * from the realm its challenge names (with the configured credentials, anonymous otherwise), kept
 * until it expires; a Basic challenge gets the credentials themselves.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, { header: string; until: number }>();

  constructor(private readonly cfg: MaintenanceConfig["images"]) {}

  async tagDigest(ref: ImageRef, platform: Platform, signal?: AbortSignal): Promise<TagDigest> {
    const path = `/v2/${ref.repository}/manifests/${ref.tag}`;
    const head = await this.call(ref, "HEAD", path, signal);
    const type = (head.headers.get("content-type") ?? "").split(";")[0]!.trim();
    const digest = head.headers.get("docker-content-digest");
    const list = LIST_TYPES.includes(type);
    if (!list) {
      if (!digest) throw new RegistryError(`${ref.registry} gave no Docker-Content-Digest for ${ref.repository}:${ref.tag}`);
      return { digest, list: false };
    }
    const body = await this.call(ref, "GET", path, signal);
    const index = (await body.json()) as { manifests?: { digest: string; platform?: Platform }[] };
    const listDigest = digest ?? body.headers.get("docker-content-digest");
    if (!listDigest) throw new RegistryError(`${ref.registry} gave no Docker-Content-Digest for ${ref.repository}:${ref.tag}`);
    const match =
      index.manifests?.find(
        (m) =>
          m.platform?.os === platform.os &&
          m.platform.architecture === platform.architecture &&
          (!platform.variant || !m.platform.variant || m.platform.variant === platform.variant),
      ) ?? undefined;
    const name = (p: Platform) => [p.os, p.architecture, p.variant].filter(Boolean).join("/");
    if (!match)
      throw new RegistryError(
        `${ref.repository}:${ref.tag} has no image for ${name(platform)} (it has ${(index.manifests ?? []).map((m) => (m.platform ? name(m.platform) : "?")).join(", ")})`,
      );
    return { digest: listDigest, list: true, platformDigest: match.digest, platform: name(match.platform!) };
  }

  /** Every tag of the repository (following the API's `Link: <…>; rel="next"` pages). */
  async tags(ref: ImageRef, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = `/v2/${ref.repository}/tags/list?n=1000`;
    for (let page = 0; path && page < 50; page++) {
      const r = await this.call(ref, "GET", path, signal);
      const body = (await r.json()) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      const next = r.headers.get("link")?.match(/<([^>]+)>;\s*rel="?next"?/)?.[1];
      path = next ? (next.startsWith("http") ? new URL(next).pathname + new URL(next).search : next) : undefined;
    }
    return out;
  }

  private base(registry: string): string {
    const access = this.cfg.registries[registry];
    const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(registry);
    return `${access?.insecure || loopback ? "http" : "https"}://${registry}`;
  }

  private credentials(registry: string): string | undefined {
    const a = this.cfg.registries[registry];
    if (!a?.username || !a.password) return undefined;
    return Buffer.from(`${a.username}:${readSecret(a.password)}`).toString("base64");
  }

  private async call(ref: ImageRef, method: "GET" | "HEAD", path: string, signal?: AbortSignal): Promise<Response> {
    const url = `${this.base(ref.registry)}${path}`;
    const key = `${ref.registry}/${ref.repository}`;
    const send = (auth?: string) =>
      fetch(url, {
        method,
        headers: { accept: ACCEPT, ...(auth ? { authorization: auth } : {}) },
        signal: AbortSignal.any([AbortSignal.timeout(this.cfg.timeout), ...(signal ? [signal] : [])]),
      }).catch((err: Error) => {
        throw new RegistryError(`${ref.registry} did not answer: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      });
    const held = this.tokens.get(key);
    let r = await send(held && held.until > Date.now() ? held.header : undefined);
    if (r.status === 401) {
      const auth = await this.authorize(ref, r.headers.get("www-authenticate") ?? "", signal);
      r = await send(auth);
    }
    if (r.status === 401 || r.status === 403)
      throw new RegistryError(
        `${ref.registry} refused access to ${ref.repository} (${r.status}): check it.maintenance.images.registries["${ref.registry}"]`,
      );
    if (r.status === 404) throw new RegistryError(`${ref.registry} has no ${ref.repository}:${ref.tag ?? ""} (404)`);
    if (r.status === 429)
      throw new RegistryError(
        `${ref.registry} limits requests (429${r.headers.get("retry-after") ? `, retry after ${r.headers.get("retry-after")} s` : ""})`,
      );
    if (!r.ok) throw new RegistryError(`${ref.registry} answered ${r.status} to ${method} ${path}`);
    return r;
  }

  /** A 401's challenge answered: Basic with the credentials, Bearer with a token from its realm. */
  private async authorize(ref: ImageRef, challenge: string, signal?: AbortSignal): Promise<string> {
    const { scheme, params } = parseChallenge(challenge);
    const basic = this.credentials(ref.registry);
    if (scheme === "basic") {
      if (!basic)
        throw new RegistryError(`${ref.registry} asks for a user and password: set it.maintenance.images.registries["${ref.registry}"]`);
      return `Basic ${basic}`;
    }
    if (scheme !== "bearer" || !params.realm)
      throw new RegistryError(`${ref.registry} asks for an authentication LAG does not speak: ${challenge || "(none)"}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    url.searchParams.set("scope", params.scope ?? `repository:${ref.repository}:pull`);
    const r = await fetch(url, {
      headers: basic ? { authorization: `Basic ${basic}` } : {},
      signal: AbortSignal.any([AbortSignal.timeout(this.cfg.timeout), ...(signal ? [signal] : [])]),
    }).catch((err: Error) => {
      throw new RegistryError(
        `the token service of ${ref.registry} (${url.host}) did not answer: ${(err.cause as Error | undefined)?.message ?? err.message}`,
      );
    });
    if (!r.ok)
      throw new RegistryError(
        `the token service of ${ref.registry} refused ${basic ? "the configured credentials" : "an anonymous token"} (${r.status})${basic ? "" : `: set it.maintenance.images.registries["${ref.registry}"]`}`,
      );
    const body = (await r.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token service of ${ref.registry} gave no token`);
    const header = `Bearer ${token}`;
    // Docker's default lifetime is 60 s when the service does not say; leave a margin.
    this.tokens.set(`${ref.registry}/${ref.repository}`, { header, until: Date.now() + Math.max(10, (body.expires_in ?? 60) - 10) * 1000 });
    return header;
  }
}
