/**
 * A port of what Orchest's orchest-cli (orchest-cli/orchestcli/cmds.py at 560103a5) reads and writes on an
 * OrchestCluster, for testing that the cli (and the UI's update and restart, which run the same code in
 * orchest-api) work against this operator: `ClusterStatus`, `_parse_cluster_status_from_custom_object`,
 * `_wait_for_cluster_status`, `_get_orchest_cluster_version`, `_is_calver_version` and the `status`, `version`,
 * `stop`, `start`, `restart` and `update` commands (update without its first half, which replaces Orchest's
 * controller Deployment). Kept as the Python does it, including the wait's 10 s minimum and 4 s polls; the one
 * change: where the Python loops without sleeping (state reached, 10 s not yet passed), this polls every 200 ms.
 */
import type { KubeClient, ObjectRef } from "../../reconcilers/index.js";

/** ClusterStatus, "to be kept in sync with OrchestClusterPhase". */
export const CLUSTER_STATUS = [
  "Initializing",
  "Deploying Third Parties",
  "Deployed Third Parties",
  "Deploying Orchest Control Plane",
  "Deployed Orchest Control Plane",
  "Restarting",
  "Starting",
  "Running",
  "Stopping",
  "Cleanup",
  "Stopped",
  "Updating",
  "Error",
  "Unknown",
  "Unhealthy",
  "Deleting",
] as const;
export type ClusterStatus = (typeof CLUSTER_STATUS)[number];

/** Python's KeyError on a missing entry of the custom object, which the cli reports and re-raises. */
export class CliKeyError extends Error {}

type CustomObject = { spec?: { orchest?: { version?: string } }; status?: { state?: unknown } };

/** `_parse_cluster_status_from_custom_object`: undefined without a state (KeyError); a state not in ClusterStatus raises (ValueError). */
export function parseClusterStatus(obj: CustomObject): ClusterStatus | undefined {
  const state = obj.status?.state;
  if (state === undefined) return undefined;
  const status = CLUSTER_STATUS.find((s) => s === state);
  if (status === undefined) throw new Error(`ValueError: '${String(state)}' is not a valid ClusterStatus`);
  return status;
}

/** `_is_calver_version`. */
export function isCliCalVer(version: string): boolean {
  const parts = version.split(".");
  if (parts.length !== 3) return false;
  const [year, month, patch] = parts as [string, string, string];
  if (!year.startsWith("v") || year.length !== 5 || month.length !== 2 || patch.length === 0) return false;
  return [year.slice(1), month, patch].every((p) => /^\s*[+-]?\d+\s*$/.test(p));
}

/** `update`'s `lte(old, new)`. */
function lte(older: string, newer: string): boolean {
  const [o, n] = [older.slice(1).split("."), newer.slice(1).split(".")];
  for (let i = 0; i < Math.min(o.length, n.length); i++) {
    if (Number(o[i]) > Number(n[i])) return false;
    if (Number(o[i]) < Number(n[i])) return true;
  }
  return true;
}

export interface OrchestCliOptions {
  /** The wait's minimum duration. @default 10_000, as the cli */
  readonly minimumWaitMs?: number;
  /** The wait's poll interval while the state is not reached. @default 4_000, as the cli */
  readonly pollMs?: number;
  /** Give up a wait after this long (the cli waits forever). @default 300_000 */
  readonly deadlineMs?: number;
}

export class OrchestCli {
  private readonly ref: ObjectRef;

  constructor(
    private readonly client: KubeClient,
    namespace: string,
    name: string,
    private readonly options: OrchestCliOptions = {},
  ) {
    this.ref = { apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", namespace, name };
  }

  private async customObject(): Promise<CustomObject> {
    const obj = await this.client.get(this.ref);
    if (!obj) throw new Error(`CRObjectNotFound: The Orchest Cluster named '${this.ref.name}' in namespace '${this.ref.namespace}' could not be found.`);
    return obj as CustomObject;
  }

  private patch(body: unknown): Promise<unknown> {
    return this.client.patch(this.ref, body, "merge");
  }

  /** `orchest status` (without --wait). */
  async status(): Promise<ClusterStatus | undefined> {
    return parseClusterStatus(await this.customObject());
  }

  /** `orchest version`: spec.orchest.version, or KeyError. */
  async version(): Promise<string> {
    const version = (await this.customObject()).spec?.orchest?.version;
    if (version === undefined) throw new CliKeyError("Failed to fetch Orchest Cluster version. Make sure your CLI version is compatible with the running Orchest Cluster version.");
    return version;
  }

  /** `_wait_for_cluster_status`: the states it saw, in order. */
  async waitForStatus(current: ClusterStatus | undefined, end: ClusterStatus): Promise<ClusterStatus[]> {
    const started = Date.now();
    const minimum = this.options.minimumWaitMs ?? 10_000;
    const deadline = started + (this.options.deadlineMs ?? 300_000);
    const visited: ClusterStatus[] = current === undefined ? [] : [current];
    let previous: ClusterStatus | "Fetching" = current ?? "Fetching";
    let status: ClusterStatus | "Fetching" = previous;
    while (status !== end || Date.now() - started < minimum) {
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${end}; saw ${visited.join(" → ")}`);
      status = (await this.status()) ?? previous;
      if (status !== previous) {
        previous = status;
        visited.push(status as ClusterStatus);
      }
      await new Promise((resolve) => setTimeout(resolve, status !== end ? (this.options.pollMs ?? 4_000) : 200));
    }
    return visited;
  }

  /** `orchest stop`. */
  async stop(): Promise<ClusterStatus[]> {
    await this.patch({ spec: { orchest: { pause: true } } });
    return this.waitForStatus(undefined, "Stopped");
  }

  /** `orchest start`. */
  async start(): Promise<ClusterStatus[]> {
    await this.patch({ spec: { orchest: { pause: false } } });
    return this.waitForStatus(undefined, "Running");
  }

  /** `orchest restart`: a stopped cluster is started; any other gets the restart annotation. */
  async restart(): Promise<ClusterStatus[]> {
    const status = await this.status();
    if (status === "Stopped") return this.start();
    await this.patch({ metadata: { annotations: { "orchest.io/restart": "true" } } });
    return this.waitForStatus("Running", "Running");
  }

  /** `orchest update --version` after the controller's own update: checks the current version, then moves it. */
  async update(version: string): Promise<ClusterStatus[]> {
    let current: string;
    try {
      current = await this.version();
    } catch (err) {
      if (err instanceof CliKeyError) throw new CliKeyError("Failed to fetch current Orchest Cluster version to make sure the cluster isn't downgraded.");
      throw err;
    }
    if (!isCliCalVer(version)) throw new Error(`The format of the given version '${version}' is incorrect and can't be updated to.`);
    if (!isCliCalVer(current)) throw new Error(`The given version '${current}' does not follow CalVer versioning, e.g. 'v2022.02.4'.`);
    if (current === version) return [];
    if (!lte(current, version)) throw new Error("Aborting update. Downgrading is not supported.");
    await this.patch({ spec: { orchest: { version } } });
    return this.waitForStatus(undefined, "Running");
  }
}
