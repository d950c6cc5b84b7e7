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
  REGISTRY_CLAIM,
  REGISTRY_TLS_SECRET,
  STATE_CLAIM,
  synth,
  USERDIR_CLAIM,
  waveOf,
  type ClaimFacts,
  type ClusterFacts,
  type Manifest,
  type RegistryFacts,
  type RegistryTls,
  type SynthOptions,
} from "../synth/index.js";
import { makeWay, ORCHEST_FINALIZER } from "./adopt.js";
import { claimFactsOf, clusterFacts, ingressClassOf, nodeFactsChanged } from "./facts.js";
import { progressOf, WORKLOAD_KINDS } from "./readiness.js";
import { coversIdentity, issueRegistryTls, registryIdentity, tlsOfSecret } from "./registry-tls.js";
import { clusterStatus, kubernetesConditions, type Outcome } from "./status.js";

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

/**
 * Clusters reconciled at once. A reconcile mostly waits on the apiserver, so one worker left 100 clusters
 * queued behind each other's round trips; 4 is kustomize-controller's default --concurrent.
 */
export const DEFAULT_WORKERS = 4;

/** How soon a rollout that waits for an object of Orchest's controller to go looks again (no watch sees it go). */
const ADOPTION_RECHECK_MS = 1_000;

export interface OrchestClusterControllerOptions {
  readonly synth?: SynthOptions;
  /** Re-check of a rollout that waits on a workload, in case a status change is missed. @default 30s */
  readonly waitingRecheckMs?: number;
  /** Clusters reconciled at once. @default DEFAULT_WORKERS */
  readonly workers?: number;
}

/** Where a rollout waits, with how soon to look again when no watch event will say. */
type RolloutOutcome = Outcome & { readonly recheckMs?: number };

interface RolloutResult {
  readonly outcome: RolloutOutcome;
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
  const ingressClasses = informers.informerFor({ apiVersion: "networking.k8s.io/v1", kind: "IngressClass" });
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

  /**
   * Applies wave after wave (in reverse while pausing), each once the previous ones are ready. Before a wave,
   * what Orchest's controller left in its way is taken over (adopt.ts).
   */
  const rollOut = async (applier: Applier, desired: Manifest[], inventory: readonly ObjectRef[], paused: boolean): Promise<RolloutResult> => {
    const waves = [...new Set(desired.map(waveOf))].sort((a, b) => (paused ? b - a : a - b));
    const applied = new Map(inventory.map((ref) => [refKey(ref), ref]));
    const created: ObjectRef[] = [];
    const configured: ObjectRef[] = [];
    const wait = (workload: KubeObject, message: string, recheckMs?: number): RolloutResult => ({
      outcome: { kind: "waiting", component: componentOf(workload as Manifest) ?? workload.metadata.name!, message, ...(recheckMs ? { recheckMs } : {}) },
      inventory: [...applied.values()],
      changes: { created, configured, pruned: [] },
    });
    for (const wave of waves) {
      const objects = desired.filter((m) => waveOf(m) === wave) as KubeObject[];
      const removing = await makeWay(client, objects.filter((m) => !liveOf(m as Manifest)));
      if (removing.length > 0) return wait(objects[0]!, `replacing what Orchest's controller made: ${removing.join(", ")}`, ADOPTION_RECHECK_MS);
      const changes = await applier.apply(objects, []);
      for (const ref of changes.inventory) applied.set(refKey(ref), ref);
      created.push(...changes.created);
      configured.push(...changes.configured);
      const justWritten = new Set([...changes.created, ...changes.configured].map(refKey));
      for (const workload of objects.filter((m) => WORKLOAD_KINDS.has(m.kind))) {
        const progress = justWritten.has(refKey(refOf(workload))) ? { ready: false, message: "just updated" } : progressOf(liveOf(workload as Manifest));
        if (!progress.ready) return wait(workload, progress.message ?? "not ready");
      }
    }
    // Every wave is ready: now, and only now, prune what the previous inventory has and desired lacks.
    const final = await applier.apply(desired as KubeObject[], inventory);
    return { outcome: { kind: "rolledOut" }, inventory: final.inventory, changes: { created, configured, pruned: final.pruned } };
  };

  // The certificate last synthesized is reused while its Secret is not readable: one issued but not yet in the
  // cache (a quick second reconcile issues no other), or one of Orchest's whose Secret is being replaced.
  const lastTls = new Map<string, RegistryTls>();
  /**
   * The registry's ClusterIP and certificate. The certificate names the ClusterIP, which exists once the Service
   * does: until then there are no facts (synth leaves the Secret to be filled), and `rollOut` creates the Service
   * before anything else, so that the registry and the nodes that trust its CA start with the final certificate.
   */
  const registryFacts = async (cluster: OrchestCluster): Promise<RegistryFacts> => {
    const key = objectKey(cluster as KubeObject);
    const namespace = cluster.metadata!.namespace!;
    // Read through to the API: the Service and Secret of an install made by Orchest are not in the cache yet.
    const service = await live.get({ apiVersion: "v1", kind: "Service", namespace, name: DOCKER_REGISTRY });
    if (!service) return {};
    const clusterIP = (service.spec as { clusterIP?: string } | undefined)?.clusterIP;
    const identity = registryIdentity(DOCKER_REGISTRY, namespace, clusterIP);
    const stored = tlsOfSecret((await live.get({ apiVersion: "v1", kind: "Secret", namespace, name: REGISTRY_TLS_SECRET })) as { data?: Record<string, string> } | undefined);
    const tls = [stored, lastTls.get(key)].find((candidate) => candidate && coversIdentity(candidate, identity)) ?? (await issueRegistryTls(identity));
    lastTls.set(key, tls);
    return { tls, ...(identity.ips.length > 0 ? { clusterIP: identity.ips[0] } : {}) };
  };

  /** The claims that exist already, theirs or Orchest's: synth keeps what cannot change of them. */
  const claimFacts = async (namespace: string): Promise<Record<string, ClaimFacts>> => {
    const claims: Record<string, ClaimFacts> = {};
    for (const name of [USERDIR_CLAIM, STATE_CLAIM, REGISTRY_CLAIM]) {
      const claim = await live.get({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name });
      if (claim) claims[name] = claimFactsOf(claim);
    }
    return claims;
  };

  /**
   * Orchest's restart request (`orchest.io/restart`, any value): the time of the restart goes into the status
   * first, then the request is removed, as Orchest removes it, so that the next request is seen again. A
   * paused cluster has nothing to restart: the request is only removed, as Orchest does once stopped.
   */
  const takeRestartRequest = async (cluster: OrchestCluster): Promise<{ cluster: OrchestCluster; restarting: boolean }> => {
    if (cluster.metadata?.annotations?.[ANNOTATIONS.restart] === undefined) return { cluster, restarting: false };
    const stale = new Set([cluster.metadata.resourceVersion!]);
    const restarting = cluster.spec?.orchest?.pause !== true;
    if (restarting) {
      // Milliseconds: two requests within a second are two restarts.
      const restartedAt = new Date().toISOString();
      // A merge patch of these two fields: the rest of the status stays as it is until the reconcile's own write.
      cluster = (await client.patch(refOf(cluster as KubeObject), { status: { restartedAt, state: "Restarting" } }, "merge", "status")) as OrchestCluster;
      stale.add(cluster.metadata!.resourceVersion!);
      await events.record(cluster as KubeObject, "Normal", "Restarting", "Restart", `orchest.io/restart: rolling every component (restartedAt ${restartedAt})`);
    }
    const patched = (await client.patch(refOf(cluster as KubeObject), { metadata: { annotations: { [ANNOTATIONS.restart]: null } } }, "merge")) as OrchestCluster;
    takenRestarts.set(objectKey(patched as KubeObject), { stale, cluster: patched });
    return { cluster: patched, restarting };
  };

  // A reconcile that runs before the cache has seen the request's removal must not restart again: until the
  // cache moves past the versions the removal replaced, the removed version stands in for it.
  const takenRestarts = new Map<string, { stale: Set<string>; cluster: OrchestCluster }>();
  const withTakenRestart = (cluster: OrchestCluster): OrchestCluster => {
    const key = objectKey(cluster as KubeObject);
    const taken = takenRestarts.get(key);
    if (taken?.stale.has(cluster.metadata!.resourceVersion!)) return taken.cluster;
    takenRestarts.delete(key);
    return cluster;
  };

  const inventoryOf = (cluster: OrchestCluster): ObjectRef[] =>
    (cluster.status?.inventory?.entries ?? []).map((e) => ({ apiVersion: e.apiVersion, kind: e.kind, name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) }));

  const finalize = async (cluster: OrchestCluster): Promise<void> => {
    // A cluster of Orchest's deleted before the operator took it over: nobody else would let it go.
    cluster = (await removeFinalizer(client, cluster as KubeObject, ORCHEST_FINALIZER)) as OrchestCluster;
    if (!hasFinalizer(cluster as KubeObject, FINALIZER)) return;
    const message = "the OrchestCluster is being deleted: its objects are removed";
    const status = clusterStatus({ cluster, facts: { nodes: [] }, live: liveOf, inventory: inventoryOf(cluster), desired: [], outcome: { kind: "deleting", message } });
    await updateStatus(client, cluster as KubeObject, { ...cluster.status, ...status });
    const pruned = await applierFor(cluster).apply([], inventoryOf(cluster));
    if (pruned.pruned.length > 0) await events.record(cluster as KubeObject, "Normal", "Pruned", "Delete", `deleted ${pruned.pruned.length} objects of the cluster`);
    await removeFinalizer(client, cluster as KubeObject, FINALIZER);
    appliers.delete(objectKey(cluster as KubeObject));
    lastTls.delete(objectKey(cluster as KubeObject));
    takenRestarts.delete(objectKey(cluster as KubeObject));
  };

  const reconcile: Reconciler = async (request: Request) => {
    let cluster = clusters.get(objectKey(request)) as OrchestCluster | undefined;
    if (!cluster) return;
    if (cluster.metadata?.deletionTimestamp) return finalize(cluster);
    cluster = withTakenRestart(cluster);
    // Every write of an object whose stored status the schema refuses fails: Orchest's conditions go first.
    const conditions = kubernetesConditions(cluster.status);
    if (conditions.length !== (cluster.status?.conditions ?? []).length) {
      cluster = (await client.patch(refOf(cluster as KubeObject), { status: { conditions } }, "merge", "status")) as OrchestCluster;
    }
    cluster = (await addFinalizer(client, cluster as KubeObject, FINALIZER)) as OrchestCluster;
    // Taken over from Orchest's controller, whose finalizer only its controller would remove.
    cluster = (await removeFinalizer(client, cluster as KubeObject, ORCHEST_FINALIZER)) as OrchestCluster;
    const restart = await takeRestartRequest(cluster);
    cluster = restart.cluster;
    const namespace = cluster.metadata!.namespace!;
    const ingressClass = ingressClassOf(ingressClasses.store.list());
    const { facts: nodeFacts, unsupported } = clusterFacts(nodes.store.list());
    const facts: ClusterFacts = {
      ...nodeFacts,
      ...(ingressClass ? { ingressClass } : {}),
      claims: await claimFacts(namespace),
      ...(cluster.status?.restartedAt ? { restartedAt: cluster.status.restartedAt } : {}),
    };
    const statusInput = { cluster, facts, live: liveOf, inventory: inventoryOf(cluster), desired: [] as Manifest[], restarting: restart.restarting };

    let desired: Manifest[];
    const synthesize = async () => synth(cluster!, { ...facts, registry: await registryFacts(cluster!) }, options.synth);
    try {
      desired = await synthesize();
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
      const registryService = desired.find((m) => m.kind === "Service" && m.metadata.name === DOCKER_REGISTRY);
      if (registryService && !(await live.get(refOf(registryService as KubeObject)))) {
        // A new registry: its Service first, then the certificate that names its ClusterIP (see registryFacts).
        await applierFor(cluster).apply([registryService as KubeObject], []);
        desired = await synthesize();
      }
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
    if (result.outcome.kind !== "waiting") return undefined;
    return { requeueAfter: Math.min(result.outcome.recheckMs ?? Infinity, options.waitingRecheckMs ?? 30_000) };
  };

  const controller = manager.addController({ name: "orchestcluster", reconciler: reconcile, maxConcurrentReconciles: options.workers ?? DEFAULT_WORKERS });
  controller.watch(clusters);
  const allClusters = () => clusters.store.list().map((c) => ({ namespace: c.metadata.namespace, name: c.metadata.name! }));
  controller.watch(nodes, { map: allClusters, predicates: [nodeFactsChanged] });
  controller.watch(ingressClasses, { map: allClusters });
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
