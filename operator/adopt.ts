/**
 * Taking over an install made by Orchest's controller. Its objects carry the names synth gives its own, but
 * Orchest's labels, selectors (immutable), in two cases another kind (the database and the broker were
 * Deployments), for the registry's Secret another type (also immutable), and owner references to Orchest's
 * OrchestComponents and OrchestCluster, through which deleting those would cascade to what the operator
 * now keeps. So before a wave is applied, each of its objects that is not the operator's yet is looked up:
 *
 * - a claim stays, data and all: it only loses Orchest's owner references (its immutable fields reach synth
 *   as facts, so the applier never asks to change them);
 * - a workload, a workload of another kind under the same name, or a Secret of another type is deleted, in
 *   the foreground so that its pods are gone before the operator's start on the same data, and the wave
 *   waits until it is gone;
 * - anything else stays and loses Orchest's owner references (a Service also its ports, which the applier
 *   would merge by name with the operator's, and Orchest named them otherwise); the applier then makes it
 *   the operator's;
 * - with its ServiceAccount, Orchest's cluster-wide grant of the same name (a ClusterRole allowing everything
 *   and its binding) is deleted.
 *
 * Objects the operator already owns are in its cache and cost no request, so a converged cluster reads nothing.
 */
import { refKey, refOf, type KubeClient, type KubeObject, type ObjectRef } from "../reconcilers/index.js";
import { LABELS, MANAGED_BY, ORCHEST_CONTROLLER_LABELS } from "../synth/index.js";

/** The finalizer Orchest's controller puts on the OrchestCluster; only its controller would remove it. */
export const ORCHEST_FINALIZER = "controller.orchest.io";

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

type OwnerReference = NonNullable<KubeObject["metadata"]["ownerReferences"]>[number];
const isOrchestOwner = (o: OwnerReference) => o.apiVersion.startsWith("orchest.io/") && (o.kind === "OrchestComponent" || o.kind === "OrchestCluster");

/** Whether Orchest's controller (or its docker-registry addon, Helm release `<namespace>-docker-registry`) made `obj`. */
export function madeByOrchest(obj: KubeObject): boolean {
  const labels = obj.metadata.labels ?? {};
  if (labels[LABELS.managedBy] === MANAGED_BY) return false;
  if (labels[ORCHEST_CONTROLLER_LABELS.partOf] === "orchest") return true;
  if (labels["heritage"] === "Helm" && labels["release"] === `${obj.metadata.namespace}-docker-registry`) return true;
  return (obj.metadata.ownerReferences ?? []).some(isOrchestOwner);
}

/** Whether the operator's `desired` cannot be applied onto Orchest's `live` and replaces it. */
function mustReplace(desired: KubeObject, live: KubeObject): boolean {
  if (live.kind !== desired.kind || WORKLOADS.has(live.kind)) return true;
  const type = (o: KubeObject) => (o as { type?: string }).type ?? "Opaque";
  return live.kind === "Secret" && type(live) !== type(desired);
}

/** What Orchest may have made in place of `desired`: the same object, and for a StatefulSet Orchest's Deployment. */
function counterparts(desired: KubeObject): ObjectRef[] {
  const ref = refOf(desired);
  return desired.kind === "StatefulSet" ? [ref, { ...ref, apiVersion: "apps/v1", kind: "Deployment" }] : [ref];
}

/**
 * Makes way for `desired` (objects of one wave that are not the operator's yet): returns what is still being
 * removed, empty when the wave can be applied.
 */
export async function makeWay(client: KubeClient, desired: readonly KubeObject[]): Promise<string[]> {
  const removing: string[] = [];
  for (const obj of desired) {
    for (const ref of counterparts(obj)) {
      const live = await client.get(ref);
      if (!live || !madeByOrchest(live)) continue;
      if (live.metadata.deletionTimestamp) {
        removing.push(refKey(ref));
      } else if (mustReplace(obj, live)) {
        await client.delete(ref, { uid: live.metadata.uid, propagationPolicy: "Foreground" });
        // A Secret has no dependents and is gone at once; a workload waits for its pods.
        if (await client.get(ref)) removing.push(refKey(ref));
      } else {
        await takeOver(client, live, obj);
        if (live.kind === "ServiceAccount") await dropOrchestGrant(client, live);
      }
    }
  }
  return removing;
}

async function takeOver(client: KubeClient, live: KubeObject, desired: KubeObject): Promise<void> {
  const owners = live.metadata.ownerReferences ?? [];
  const kept = owners.filter((o) => !isOrchestOwner(o));
  const changes: unknown[] = [];
  if (kept.length !== owners.length) {
    changes.push(kept.length === 0 ? { op: "remove", path: "/metadata/ownerReferences" } : { op: "replace", path: "/metadata/ownerReferences", value: kept });
  }
  const ports = (desired.spec as { ports?: unknown[] } | undefined)?.ports;
  if (live.kind === "Service" && ports) changes.push({ op: "replace", path: "/spec/ports", value: ports });
  if (changes.length === 0) return;
  await client.patch(refOf(live), [{ op: "test", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion }, ...changes], "json");
}

/**
 * Orchest's ensureRbacs gave a ServiceAccount a ClusterRole of its name allowing everything, and bound it. The
 * binding goes when it binds this namespace's account; the role when no binding of its name is left.
 */
async function dropOrchestGrant(client: KubeClient, account: KubeObject): Promise<void> {
  const binding = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", name: account.metadata.name! };
  const role = { ...binding, kind: "ClusterRole" };
  const bound = await client.get(binding);
  if (bound) {
    const subjects = (bound as { subjects?: Array<{ namespace?: string }> }).subjects ?? [];
    if (!madeByOrchest(bound) || !subjects.some((s) => s.namespace === account.metadata.namespace)) return;
    await client.delete(binding, { uid: bound.metadata.uid });
  }
  const granted = await client.get(role);
  if (granted && madeByOrchest(granted)) await client.delete(role, { uid: granted.metadata.uid });
}
