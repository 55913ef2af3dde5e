/**
 * The parts of the Docker Engine API's answers that IT_LAG reads (API v1.41+, Engine 20.10+),
 * named as the engine names them. Fields the engine may leave out are optional.
 */

/** One entry of `GET /containers/json?all=1`. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  /** `Up 3 minutes (unhealthy)`, `Exited (0) 2 hours ago`. */
  Status: string;
  Labels?: Record<string, string> | null;
}

/** `GET /containers/{id}/json`. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  /** The id of the image it runs (`sha256:…`), whatever the tag now points at. */
  Image?: string;
  /** The json-file log driver's file (empty for other drivers). */
  LogPath?: string;
  RestartCount: number;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State: {
    Status: string;
    Running: boolean;
    Restarting?: boolean;
    ExitCode: number;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status: string };
  };
  HostConfig?: { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } };
}

/** `GET /containers/{id}/stats?stream=false&one-shot=true` (cgroups v1 and v2); `{}` for a container that just stopped. */
export interface ContainerStats {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
}

/** `GET /images/{id}/json`. */
export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  /** `repo@sha256:…` for each registry it was pulled from or pushed to: the digest the registry knows it by. */
  RepoDigests?: string[] | null;
  Os?: string;
  Architecture?: string;
  Variant?: string;
}

/** `GET /version`. */
export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  Os?: string;
  Arch?: string;
}

/** `POST /images/prune` and `POST /build/prune`. */
export interface PruneReport {
  /** Images or cache records removed. */
  deleted: number;
  spaceReclaimedBytes: number;
}
