import type { ComponentStatus, OrchestCluster, OrchestClusterStatus } from "../crds/types/index.js";
import { setCondition, type Condition, type ObjectRef } from "../reconcilers/index.js";
import { componentOf, DEPLOY_ORDER, DOCKER_REGISTRY, SHARED_COMPONENT, type ClusterFacts, type Manifest } from "../synth/index.js";
import { progressOf, WORKLOAD_KINDS, type WorkloadProgress } from "./readiness.js";

/** Where a reconcile got to, in the words the status uses. */
export type Outcome =
  | { readonly kind: "rolledOut" }
  | { readonly kind: "waiting"; readonly component: string; readonly message: string }
  | { readonly kind: "invalid"; readonly message: string }
  | { readonly kind: "failed"; readonly reason: string; readonly message: string }
  | { readonly kind: "deleting"; readonly message: string };

export interface StatusInput {
  readonly cluster: OrchestCluster;
  /** The resolved Orchest version synth() rolled out. */
  readonly version?: string;
  readonly desired: readonly Manifest[];
  readonly live: (manifest: Manifest) => Parameters<typeof progressOf>[0];
  readonly facts: ClusterFacts;
  readonly outcome: Outcome;
  readonly inventory: readonly ObjectRef[];
  /** The restart of `status.restartedAt` is under way (its pods roll). @default false */
  readonly restarting?: boolean;
}

type Phase = NonNullable<OrchestClusterStatus["phase"]>;
/** Orchest's names of the phases (its OrchestPhase), which Orchest's orchest-cli and UI read from `status.state`. */
export type OrchestState = NonNullable<OrchestClusterStatus["state"]>;

function imageOf(workload: Manifest): string | undefined {
  const spec = workload.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.image;
}

/** One entry per component in Orchest's order, from its workloads' live progress. */
export function componentStatuses(desired: readonly Manifest[], live: StatusInput["live"]): ComponentStatus[] {
  const order = (name: string) => {
    const i = DEPLOY_ORDER.indexOf(name as (typeof DEPLOY_ORDER)[number]);
    return i < 0 ? -1 : i;
  };
  const byComponent = new Map<string, Manifest[]>();
  for (const m of desired) {
    const component = componentOf(m);
    if (!component || !WORKLOAD_KINDS.has(m.kind)) continue;
    byComponent.set(component, [...(byComponent.get(component) ?? []), m]);
  }
  return [...byComponent.entries()]
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([name, workloads]) => {
      const progress = workloads.map((w) => progressOf(live(w)));
      const sum = (pick: (p: WorkloadProgress) => number) => progress.reduce((total, p) => total + pick(p), 0);
      const notReady = progress.find((p) => !p.ready);
      return {
        name,
        kind: workloads[0]!.kind,
        ready: !notReady,
        ...(imageOf(workloads[0]!) ? { image: imageOf(workloads[0]!) } : {}),
        desiredReplicas: sum((p) => p.desired),
        readyReplicas: sum((p) => p.readyReplicas),
        updatedReplicas: sum((p) => p.updated),
        ...(notReady?.message ? { message: notReady.message } : {}),
      };
    });
}

function phaseOf(input: StatusInput, previous: OrchestClusterStatus | undefined): Phase {
  const { outcome, cluster } = input;
  const paused = cluster.spec?.orchest?.pause === true;
  switch (outcome.kind) {
    case "deleting":
      return "Deleting";
    case "invalid":
    case "failed":
      return "Degraded";
    case "rolledOut":
      return paused ? "Paused" : "Running";
    case "waiting":
      if (paused) return "Pausing";
      return previous?.version ? "Updating" : "Deploying";
  }
}

/**
 * The conditions of a status that are Kubernetes conditions. An install made by Orchest's controller has
 * conditions of its own shape (event, heartbeat), which this CRD's schema refuses: not ours to keep.
 */
export function kubernetesConditions(status: OrchestClusterStatus | undefined): Condition[] {
  return ((status?.conditions ?? []) as Condition[]).filter((c) => typeof c.type === "string" && typeof c.status === "string");
}

/**
 * The phase as Orchest's controller names it: Stopping/Stopped for a pause, Starting when it resumes,
 * Restarting, Updating for any other rollout of a cluster that ran, and on the first rollout Deploying Third
 * Parties (the registry, before Orchest's own components) then Deploying Orchest Control Plane.
 */
export function stateOf(input: StatusInput, previous: OrchestClusterStatus | undefined): OrchestState {
  const { outcome, cluster } = input;
  const paused = cluster.spec?.orchest?.pause === true;
  switch (outcome.kind) {
    case "deleting":
      return "Deleting";
    case "invalid":
    case "failed":
      return "Error";
    case "rolledOut":
      return paused ? "Stopped" : "Running";
    case "waiting":
      if (paused) return "Stopping";
      if (input.restarting || previous?.state === "Restarting") return "Restarting";
      if (previous?.state === "Stopped" || previous?.state === "Stopping" || previous?.state === "Starting") return "Starting";
      if (previous?.version) return "Updating";
      return outcome.component === DOCKER_REGISTRY || outcome.component === SHARED_COMPONENT ? "Deploying Third Parties" : "Deploying Orchest Control Plane";
  }
}

/**
 * The whole status of an OrchestCluster after a reconcile. Conditions keep their lastTransitionTime while
 * their status does not change, so a reconcile that changes nothing computes the same status (and writes none).
 */
export function clusterStatus(input: StatusInput, now = new Date()): OrchestClusterStatus {
  const previous = input.cluster.status;
  const { outcome } = input;
  const paused = input.cluster.spec?.orchest?.pause === true;
  let conditions = kubernetesConditions(previous);
  const set = (type: string, status: "True" | "False", reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: input.cluster.metadata?.generation }, now);
  };
  switch (outcome.kind) {
    case "rolledOut":
      set("Ready", paused ? "False" : "True", paused ? "Paused" : "AllComponentsReady", paused ? "spec.orchest.pause is true: every component is scaled to zero" : "every component is rolled out and available");
      set("Progressing", "False", "RolloutComplete", "nothing left to roll out");
      set("Degraded", "False", "AsExpected", "no problem found");
      break;
    case "waiting":
      set("Ready", "False", paused ? "Pausing" : "RollingOut", `waiting for ${outcome.component}: ${outcome.message}`);
      set("Progressing", "True", paused ? "ScalingDown" : "RollingOut", `waiting for ${outcome.component}: ${outcome.message}`);
      set("Degraded", "False", "AsExpected", "no problem found");
      break;
    case "invalid":
      set("Ready", "False", "InvalidSpec", outcome.message);
      set("Progressing", "False", "InvalidSpec", "nothing is rolled out until the spec is fixed");
      set("Degraded", "True", "InvalidSpec", outcome.message);
      break;
    case "failed":
      set("Ready", "False", outcome.reason, outcome.message);
      set("Degraded", "True", outcome.reason, outcome.message);
      break;
    case "deleting":
      set("Ready", "False", "Deleting", outcome.message);
      break;
  }
  const runtimes = new Map<string, number>();
  for (const node of input.facts.nodes) runtimes.set(node.runtime, (runtimes.get(node.runtime) ?? 0) + 1);
  const version = outcome.kind === "rolledOut" && !paused ? input.version : previous?.version;
  return {
    observedGeneration: input.cluster.metadata?.generation,
    phase: phaseOf(input, previous),
    state: stateOf(input, previous),
    ...(previous?.restartedAt ? { restartedAt: previous.restartedAt } : {}),
    ...(version ? { version } : {}),
    conditions,
    components: componentStatuses(input.desired, input.live),
    runtimes: [...runtimes.entries()].sort().map(([runtime, nodes]) => ({ runtime, nodes })),
    inventory: {
      entries: input.inventory.map((ref) => ({ apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name })),
    },
  };
}
