import type { OrchestCluster } from "../crds/types/index.js";
import {
  addFinalizer,
  Applier,
  hasFinalizer,
  objectKey,
  refKey,
  refOf,
  removeFinalizer,
  TerminalError,
  updateStatus,
  type ChangeSet,
  type Controller,
  type GroupVersionKind,
  type Informer,
  type KubeObject,
  type LiveReader,
  type Manager,
  type ObjectRef,
  type Reconciler,
  type Request,
} from "../reconcilers/index.js";
import {
  ANNOTATIONS,
  componentOf,
  DEFAULT_ORCHEST_VERSION,
  DOCKER_REGISTRY,
  LABELS,
  MANAGED_BY,
  REGISTRY_TLS_SECRET,
  synth,
  waveOf,
  type Manifest,
  type RegistryFacts,
  type RegistryTls,
  type SynthOptions,
} from "../synth/index.js";
import { clusterFacts } from "./facts.js";
import { progressOf, WORKLOAD_KINDS } from "./readiness.js";
import { coversIdentity, issueRegistryTls, registryIdentity, tlsOfSecret } from "./registry-tls.js";
import { clusterStatus, type Outcome } from "./status.js";

export const ORCHEST_CLUSTER: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster" };
export const FINALIZER = "orchest.io/cleanup";
export const LAST_APPLIED_ANNOTATION = "orchest.io/last-applied";

/** Every kind synth() emits; the operator watches them (its own objects only) to revert drift and follow rollouts. */
export const OWNED_KINDS: readonly GroupVersionKind[] = [
  { apiVersion: "v1", kind: "ServiceAccount" },
  { apiVersion: "v1", kind: "Secret" },
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "apps/v1", kind: "StatefulSet" },
  { apiVersion: "apps/v1", kind: "DaemonSet" },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress" },
];

export interface OrchestClusterControllerOptions {
  readonly synth?: SynthOptions;
  /** Re-check of a rollout that waits on a workload, in case a status change is missed. @default 30s */
  readonly waitingRecheckMs?: number;
}

interface RolloutResult {
  readonly outcome: Outcome;
  readonly inventory: readonly ObjectRef[];
  readonly changes: Pick<ChangeSet, "created" | "configured" | "pruned">;
}

/**
 * The OrchestCluster controller: synthesizes the platform from the spec and the nodes' runtimes, rolls it
 * out wave by wave in Orchest's order (each wave only once the previous ones are ready; in reverse order
 * when pausing), prunes what is no longer desired, and reports it all in status.
 */
export function addOrchestClusterController(manager: Manager, options: OrchestClusterControllerOptions = {}): Controller {
  const { client, informers } = manager;
  const events = manager.eventRecorder("orchest-operator");
  const clusters = informers.informerFor(ORCHEST_CLUSTER);
  const nodes = informers.informerFor({ apiVersion: "v1", kind: "Node" });
  const owned = new Map<string, Informer>(
    OWNED_KINDS.map((gvk) => [`${gvk.apiVersion}/${gvk.kind}`, informers.informerFor(gvk, { labelSelector: `${LABELS.managedBy}=${MANAGED_BY}` })]),
  );
  const live: LiveReader = {
    async get(ref) {
      return owned.get(`${ref.apiVersion}/${ref.kind}`)?.get(objectKey(ref)) ?? client.get(ref);
    },
  };
  const liveOf = (m: Manifest) => owned.get(`${m.apiVersion}/${m.kind}`)?.get(objectKey(m as KubeObject));
  // One applier per cluster: it remembers its own recent writes while the cache catches up.
  const appliers = new Map<string, Applier>();
  const applierFor = (cluster: OrchestCluster) => {
    const key = objectKey(cluster as KubeObject);
    let applier = appliers.get(key);
    if (!applier) {
      applier = new Applier({
        client,
        live,
        ownershipLabels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.cluster]: cluster.metadata!.name! },
        lastAppliedAnnotation: LAST_APPLIED_ANNOTATION,
        waveAnnotation: ANNOTATIONS.deployWave,
        logger: manager.logger.child({ cluster: key }),
      });
      appliers.set(key, applier);
    }
    return applier;
  };

  const rollOut = async (applier: Applier, desired: Manifest[], inventory: readonly ObjectRef[], paused: boolean): Promise<RolloutResult> => {
    const waves = [...new Set(desired.map(waveOf))].sort((a, b) => (paused ? b - a : a - b));
    const applied = new Map(inventory.map((ref) => [refKey(ref), ref]));
    const created: ObjectRef[] = [];
    const configured: ObjectRef[] = [];
    for (const wave of waves) {
      const objects = desired.filter((m) => waveOf(m) === wave) as KubeObject[];
      const changes = await applier.apply(objects, []);
      for (const ref of changes.inventory) applied.set(refKey(ref), ref);
      created.push(...changes.created);
      configured.push(...changes.configured);
      const justWritten = new Set([...changes.created, ...changes.configured].map(refKey));
      for (const workload of objects.filter((m) => WORKLOAD_KINDS.has(m.kind))) {
        const progress = justWritten.has(refKey(refOf(workload))) ? { ready: false, message: "just updated" } : progressOf(liveOf(workload as Manifest));
        if (!progress.ready) {
          const component = componentOf(workload as Manifest) ?? workload.metadata.name!;
          return { outcome: { kind: "waiting", component, message: progress.message ?? "not ready" }, inventory: [...applied.values()], changes: { created, configured, pruned: [] } };
        }
      }
    }
    // Every wave is ready: now, and only now, prune what the previous inventory has and desired lacks.
    const final = await applier.apply(desired as KubeObject[], inventory);
    return { outcome: { kind: "rolledOut" }, inventory: final.inventory, changes: { created, configured, pruned: final.pruned } };
  };

  // A certificate issued but not yet seen in the cache is reused, so a quick second reconcile does not issue another.
  const issuedTls = new Map<string, RegistryTls>();
  const registryFacts = async (cluster: OrchestCluster): Promise<RegistryFacts> => {
    const key = objectKey(cluster as KubeObject);
    const namespace = cluster.metadata!.namespace!;
    const clusterIP = (liveOf({ apiVersion: "v1", kind: "Service", metadata: { name: DOCKER_REGISTRY, namespace } })?.spec as { clusterIP?: string } | undefined)?.clusterIP;
    const identity = registryIdentity(DOCKER_REGISTRY, namespace, clusterIP);
    const stored = tlsOfSecret(liveOf({ apiVersion: "v1", kind: "Secret", metadata: { name: REGISTRY_TLS_SECRET, namespace } }) as { data?: Record<string, string> } | undefined);
    let tls = [stored, issuedTls.get(key)].find((candidate) => candidate && coversIdentity(candidate, identity));
    if (!tls) tls = await issueRegistryTls(identity);
    if (tls === stored) issuedTls.delete(key);
    else issuedTls.set(key, tls);
    return { tls, ...(identity.ips.length > 0 ? { clusterIP: identity.ips[0] } : {}) };
  };

  const inventoryOf = (cluster: OrchestCluster): ObjectRef[] =>
    (cluster.status?.inventory?.entries ?? []).map((e) => ({ apiVersion: e.apiVersion, kind: e.kind, name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) }));

  const finalize = async (cluster: OrchestCluster): Promise<void> => {
    if (!hasFinalizer(cluster as KubeObject, FINALIZER)) return;
    const pruned = await applierFor(cluster).apply([], inventoryOf(cluster));
    if (pruned.pruned.length > 0) await events.record(cluster as KubeObject, "Normal", "Pruned", "Delete", `deleted ${pruned.pruned.length} objects of the cluster`);
    await removeFinalizer(client, cluster as KubeObject, FINALIZER);
    appliers.delete(objectKey(cluster as KubeObject));
    issuedTls.delete(objectKey(cluster as KubeObject));
  };

  const reconcile: Reconciler = async (request: Request) => {
    let cluster = clusters.get(objectKey(request)) as OrchestCluster | undefined;
    if (!cluster) return;
    if (cluster.metadata?.deletionTimestamp) return finalize(cluster);
    cluster = (await addFinalizer(client, cluster as KubeObject, FINALIZER)) as OrchestCluster;
    const { facts, unsupported } = clusterFacts(nodes.store.list());
    const statusInput = { cluster, facts, live: liveOf, inventory: inventoryOf(cluster), desired: [] as Manifest[] };

    let desired: Manifest[];
    try {
      desired = synth(cluster, { ...facts, registry: await registryFacts(cluster) }, options.synth);
    } catch (err) {
      // What slips past the schema: report it and wait for a spec change, never crash-loop.
      const message = `the spec cannot be synthesized: ${(err as Error).message}`;
      await updateStatus(client, cluster as KubeObject, { ...clusterStatus({ ...statusInput, outcome: { kind: "invalid", message } }) });
      await events.record(cluster as KubeObject, "Warning", "InvalidSpec", "Synthesize", message);
      throw new TerminalError(message, { cause: err });
    }
    if (unsupported.length > 0) {
      await events.record(cluster as KubeObject, "Warning", "UnsupportedRuntime", "DetectRuntime", `nodes without a docker or containerd runtime are left out: ${unsupported.join(", ")}`);
    }

    let result: RolloutResult;
    try {
      result = await rollOut(applierFor(cluster), desired, inventoryOf(cluster), cluster.spec?.orchest?.pause === true);
    } catch (err) {
      const message = `applying the cluster's objects failed: ${(err as Error).message}`;
      await updateStatus(client, cluster as KubeObject, { ...clusterStatus({ ...statusInput, desired, outcome: { kind: "failed", reason: "ApplyFailed", message } }) });
      await events.record(cluster as KubeObject, "Warning", "ApplyFailed", "Apply", message);
      throw err;
    }
    const version = desired.length > 0 ? versionOf(cluster, options.synth) : undefined;
    const status = clusterStatus({ ...statusInput, desired, outcome: result.outcome, inventory: result.inventory, version });
    await updateStatus(client, cluster as KubeObject, { ...status });
    const { created, configured, pruned } = result.changes;
    if (created.length + configured.length + pruned.length > 0) {
      await events.record(cluster as KubeObject, "Normal", "Applied", "Apply", `created ${created.length}, configured ${configured.length}, pruned ${pruned.length} objects`);
    }
    if (result.outcome.kind === "rolledOut" && cluster.status?.phase !== status.phase) {
      await events.record(cluster as KubeObject, "Normal", status.phase ?? "Running", "Rollout", `rollout complete: ${status.phase}`);
    }
    return result.outcome.kind === "waiting" ? { requeueAfter: options.waitingRecheckMs ?? 30_000 } : undefined;
  };

  const controller = manager.addController({ name: "orchestcluster", reconciler: reconcile });
  controller.watch(clusters);
  const allClusters = () => clusters.store.list().map((c) => ({ namespace: c.metadata.namespace, name: c.metadata.name! }));
  controller.watch(nodes, { map: allClusters });
  for (const informer of owned.values()) {
    controller.watch(informer, {
      map: (obj) => {
        const name = obj.metadata.labels?.[LABELS.cluster];
        if (!name) return [];
        // Namespaced objects live in their cluster's namespace; cluster-scoped ones name only the cluster.
        return obj.metadata.namespace ? [{ namespace: obj.metadata.namespace, name }] : allClusters().filter((c) => c.name === name);
      },
    });
  }
  return controller;
}

function versionOf(cluster: OrchestCluster, options: SynthOptions | undefined): string {
  return cluster.spec?.orchest?.version || (options?.defaultVersion ?? DEFAULT_ORCHEST_VERSION);
}
