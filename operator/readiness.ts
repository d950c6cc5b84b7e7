import type { KubeObject } from "../reconcilers/index.js";

/** How far one workload is rolled out, from its live status. */
export interface WorkloadProgress {
  readonly ready: boolean;
  readonly desired: number;
  readonly readyReplicas: number;
  readonly updated: number;
  /** Why it is not ready, for a person. */
  readonly message?: string;
}

export const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

type Status = Record<string, number | string | undefined>;

/**
 * Whether the live workload runs its current template everywhere it should, as `kubectl rollout status`
 * judges it: the controller has seen the latest generation, every replica is updated and available, and
 * no old replica is left. A workload scaled to zero is ready once its pods are gone.
 */
export function progressOf(live: KubeObject | undefined): WorkloadProgress {
  if (!live) return { ready: false, desired: 0, readyReplicas: 0, updated: 0, message: "not created yet" };
  const spec = (live.spec ?? {}) as { replicas?: number };
  const status = (live.status ?? {}) as Status;
  const n = (key: string) => Number(status[key] ?? 0);
  const observed = Number(status.observedGeneration ?? 0) >= (live.metadata.generation ?? 0);
  let desired: number;
  let readyReplicas: number;
  let updated: number;
  let leftover: number;
  if (live.kind === "DaemonSet") {
    desired = n("desiredNumberScheduled");
    readyReplicas = n("numberAvailable");
    updated = n("updatedNumberScheduled");
    leftover = n("currentNumberScheduled") - desired;
  } else {
    desired = spec.replicas ?? 1;
    readyReplicas = live.kind === "StatefulSet" ? n("readyReplicas") : n("availableReplicas");
    updated = n("updatedReplicas");
    leftover = n("replicas") - desired;
    if (live.kind === "StatefulSet" && status.updateRevision && status.currentRevision !== status.updateRevision && desired > 0) leftover = Math.max(leftover, 1);
  }
  const ready = observed && updated >= desired && readyReplicas >= desired && leftover <= 0;
  if (ready) return { ready, desired, readyReplicas, updated };
  const message = !observed
    ? "the controller has not seen the latest change yet"
    : desired === 0
      ? `scaling down: ${n(live.kind === "DaemonSet" ? "currentNumberScheduled" : "replicas")} pods left`
      : `${updated}/${desired} updated, ${readyReplicas}/${desired} ready`;
  return { ready, desired, readyReplicas, updated, message };
}
