import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where Debian's busybox-static puts its one static binary (it runs in an empty image). */
const BUSYBOX = "/usr/bin/busybox";
const HOW_TO_START = "start it with `infra/setup/setup.sh test` (or as root: `nohup dockerd >/var/log/lag-dockerd.log 2>&1 &`)";

/** The applets tests use in containers; each is a symlink to the one busybox binary. */
const APPLETS = [
  "sh",
  "sleep",
  "echo",
  "httpd",
  "ls",
  "cat",
  "test",
  "[",
  "touch",
  "rm",
  "false",
  "true",
  "kill",
  "mkdir",
  "wc",
  "head",
  "grep",
  "env",
  "ps",
  "id",
  "hostname",
  "date",
  "yes",
  "nc",
  "wget",
];

export interface DockerCliResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs the docker CLI (a client only: it needs dockerd answering on its socket or DOCKER_HOST).
 * Rejects with the CLI's own stderr, which names the container or flag at fault.
 */
export function dockerCli(
  args: readonly string[],
  opts: { timeoutMs?: number; input?: NodeJS.ReadableStream } = {},
): Promise<DockerCliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "docker",
      [...args],
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const why =
            (err as NodeJS.ErrnoException).code === "ENOENT"
              ? "the docker CLI is not installed (apt-get install docker.io)"
              : stderr.trim() || err.message;
          reject(new Error(`docker ${args.join(" ")} failed: ${why}`));
        } else resolve({ stdout, stderr });
      },
    );
    if (opts.input) opts.input.pipe(child.stdin!);
  });
}

/** Fails with an actionable message when the engine does not answer. */
export async function requireDocker(): Promise<string> {
  try {
    const { stdout } = await dockerCli(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 15_000 });
    return stdout.trim();
  } catch (err) {
    throw new Error(`Docker is not reachable (${(err as Error).message.split("\n")[0]}); ${HOW_TO_START}`);
  }
}

const building = new Map<string, Promise<string>>();

/**
 * Makes a tiny local image from busybox-static (no registry is reachable on the test machines),
 * once per tag: an existing image is reused. Resolves with the tag.
 */
export function ensureBusyboxImage(tag = "lag/busybox:test"): Promise<string> {
  let p = building.get(tag);
  if (!p) {
    p = buildBusyboxImage(tag);
    building.set(tag, p);
    p.catch(() => building.delete(tag));
  }
  return p;
}

/**
 * Names what the image holds. An image under the same tag made another way (the recipe in
 * NOTES-ENV.md has fewer applets and no /tmp) is rebuilt rather than trusted. Containers inherit image
 * labels, so the label stays outside the `lag.*` prefix the collector reports.
 */
const RECIPE = createHash("sha256")
  .update(JSON.stringify({ v: 1, APPLETS }))
  .digest("hex")
  .slice(0, 12);

async function buildBusyboxImage(tag: string): Promise<string> {
  await requireDocker();
  const existing = await dockerCli(["image", "inspect", "--format", '{{index .Config.Labels "es.lagrieta.testing.recipe"}}', tag]).catch(
    () => undefined,
  );
  if (existing?.stdout.trim() === RECIPE) return tag;
  if (!existsSync(BUSYBOX)) {
    throw new Error(`${BUSYBOX} not found: install Debian's busybox-static (apt-get install busybox-static, or infra/setup/setup.sh test)`);
  }
  const root = mkdtempSync(join(tmpdir(), "lag-busybox-"));
  try {
    mkdirSync(join(root, "bin"));
    // Docker mounts /proc, /sys, /dev and /etc/hosts itself; /tmp must exist for health-check files.
    for (const d of ["tmp", "etc", "root", "var/www"]) mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, "tmp"), 0o1777);
    copyFileSync(BUSYBOX, join(root, "bin", "busybox"));
    for (const a of APPLETS) symlinkSync("busybox", join(root, "bin", a));
    await importTar(root, tag);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return tag;
}

/** `tar -C root -c . | docker import - tag`, with both exit codes checked. */
function importTar(root: string, tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn("tar", ["-C", root, "-c", "."], { stdio: ["ignore", "pipe", "pipe"] });
    const imp = dockerCli(["import", "--change", "ENV PATH=/bin", "--change", `LABEL es.lagrieta.testing.recipe=${RECIPE}`, "-", tag], {
      input: tar.stdout,
    });
    let tarErr = "";
    tar.stderr.on("data", (c: Buffer) => (tarErr += c.toString()));
    const tarDone = new Promise<void>((res, rej) => {
      tar.on("error", rej);
      tar.on("close", (code) => (code === 0 ? res() : rej(new Error(`tar exited ${code}: ${tarErr.trim()}`))));
    });
    Promise.all([tarDone, imp]).then(() => resolve(), reject);
  });
}

/**
 * `docker run -d` with the given arguments; resolves with the full container id. Containers get
 * `--network none` unless a network is named: tests need no network, and skipping the bridge
 * makes start-up faster and independent of iptables on the machine.
 */
export async function runContainer(args: readonly string[]): Promise<string> {
  const net = args.some((a) => a === "--network" || a.startsWith("--network=") || a === "--net" || a.startsWith("--net="))
    ? []
    : ["--network", "none"];
  const { stdout } = await dockerCli(["run", "-d", ...net, ...args]);
  return stdout.trim();
}

/**
 * A busybox container with a health check that passes while `/tmp/ok` exists (its command creates
 * it, so a restart makes it healthy again); `docker exec <name> rm /tmp/ok` makes it unhealthy.
 * PID 1 is `sleep`, which ignores SIGTERM: stopping or restarting it waits the full stop timeout.
 * Resolves with the container id.
 */
export async function runHealthCheckedContainer(name: string, image: string, extra: readonly string[] = []): Promise<string> {
  return runContainer([
    "--name",
    name,
    ...extra,
    "--health-cmd",
    "test -f /tmp/ok",
    "--health-interval",
    "1s",
    "--health-retries",
    "1",
    image,
    "sh",
    "-c",
    "touch /tmp/ok; exec sleep 600",
  ]);
}

/** A container-name prefix no other test run shares, e.g. `lag-test-health-1234-a1b2c3-`. */
export function testContainerPrefix(label: string): string {
  return `lag-test-${label}-${process.pid}-${randomBytes(3).toString("hex")}-`;
}

/** Force-removes every container (running or not) whose name starts with the prefix. */
export async function removeContainers(prefix: string): Promise<number> {
  // Docker's name filter is a regular expression over the name; filtering here is exact.
  const { stdout } = await dockerCli(["ps", "-a", "--format", "{{.ID}} {{.Names}}"]);
  const ids = stdout
    .split("\n")
    .map((l) => l.trim().split(" "))
    .filter(([id, name]) => id && name?.startsWith(prefix))
    .map(([id]) => id!);
  if (ids.length > 0) await dockerCli(["rm", "-f", "-v", ...ids]);
  return ids.length;
}
