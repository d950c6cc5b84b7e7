import type { ImageBuild, ImageBuildStatus, ImageLocation } from "../../crds/types/index.js";
import { BUILD_NAME_LABEL, BUILD_UID_LABEL as LOCATION_BUILD_UID_LABEL, BUILT_LABEL, BUILT_VALUE, IMAGE_LOCATION, imageLocationName } from "../../agent/location-identity.js";
import {
  byLabel,
  objectKey,
  refOf,
  toControllerOwner,
  updateStatus,
  type Controller,
  type GroupVersionKind,
  type KubeObject,
  type Manager,
  type Reconciler,
  type Result,
} from "../../reconcilers/index.js";
import { ImagePlacer, NODE } from "../scheduling/index.js";
import { recordTransitions } from "../events/index.js";
import type { BuildTransitionSink } from "./build-event.js";
import { progressOf, TERMINAL_PHASES } from "./build-progress.js";
import { buildTarget } from "./build-target.js";
import { BUILD_UID_LABEL, builderPod, DEFAULT_BUILDER_IMAGES, type BuilderImages } from "./builder-pod.js";
import { inRegistry } from "./registry-name.js";

export const IMAGE_BUILD: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild" };
const DEFAULT_TIMEOUT_SECONDS = 3600;

export interface ImageBuildControllerOptions {
  /** Watch builds (and their pods) of this namespace only, as the api does; all namespaces when unset. */
  readonly namespace?: string;
  readonly builderImages?: BuilderImages;
  /** The in-cluster registry (host[:port]) builds are named after (see inRegistry). @default none: spec.image as written */
  readonly registryHost?: string;
  /** How long a finished build keeps its builder pod (and so its log). @default 1 hour */
  readonly podRetentionMs?: number;
  /** Re-check of a build waiting for a node. @default 30s */
  readonly noNodeRecheckMs?: number;
  /**
   * Called for every transition before the status that shows it is written, so that none is lost: a
   * failed call fails the reconcile, which is retried, and a crash in between calls it again.
   */
  readonly onTransition?: BuildTransitionSink;
}

/**
 * ImageBuild → one builder pod, followed to the end. Done means built (not pushed): on success the
 * building node's ImageLocation is recorded as built, and that node's agent pushes it. Cancel by
 * spec.cancel or by deleting the build (its pod is owned and goes with it); a deadline; finished builders
 * are deleted after a retention period.
 */
export function addImageBuildController(manager: Manager, options: ImageBuildControllerOptions = {}): Controller {
  const { client, informers } = manager;
  const events = manager.eventRecorder("orchest-api");
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const builds = informers.informerFor(IMAGE_BUILD, scope);
  const nodes = informers.informerFor(NODE);
  // Builds run on the worker plane (spec.workerNodeSelector of the OrchestCluster), as step pods do.
  const placer = new ImagePlacer(informers, options.namespace);
  const pods = informers.informerFor({ apiVersion: "v1", kind: "Pod" }, { ...scope, labelSelector: BUILD_UID_LABEL });
  pods.addIndexer(BUILD_UID_LABEL, byLabel(BUILD_UID_LABEL));
  const builtLocations = informers.informerFor(IMAGE_LOCATION, { ...scope, labelSelector: BUILD_NAME_LABEL });
  builtLocations.addIndexer(BUILD_NAME_LABEL, byLabel(BUILD_NAME_LABEL));
  const retentionMs = options.podRetentionMs ?? 3_600_000;

  const deletePod = (build: ImageBuild, name: string) => client.delete({ apiVersion: "v1", kind: "Pod", namespace: build.metadata!.namespace!, name });

  const imageOf = (build: ImageBuild) => inRegistry(build.spec.image, options.registryHost);
  const recordBuilt = async (build: ImageBuild, node: string, digest: string | undefined): Promise<void> => {
    const image = imageOf(build);
    const location: ImageLocation = {
      apiVersion: "orchest.io/v1alpha1",
      kind: "ImageLocation",
      metadata: {
        name: imageLocationName(image, digest ?? image, node),
        namespace: build.metadata!.namespace!,
        labels: {
          [BUILT_LABEL]: BUILT_VALUE,
          [BUILD_NAME_LABEL]: build.metadata!.name!,
          [LOCATION_BUILD_UID_LABEL]: build.metadata!.uid!,
          "app.kubernetes.io/managed-by": "orchest-api",
        },
      },
      spec: { image, node, ...(digest ? { digest } : {}) },
    };
    await client.createIfAbsent(location as unknown as KubeObject);
  };

  /**
   * The built locations recorded for a build of this name that no longer exists (deleted, or replaced by
   * another of the same name): deleting them makes every agent drop the image. Run on every reconcile of the
   * name, so a build deleted while the api was down is cleaned up when it starts.
   */
  const deleteAbandonedLocations = async (request: { namespace?: string; name: string }, build: ImageBuild | undefined): Promise<void> => {
    const live = build && !build.metadata?.deletionTimestamp ? build.metadata!.uid : undefined;
    for (const location of builtLocations.byIndex(BUILD_NAME_LABEL, request.name)) {
      if (location.metadata.namespace !== request.namespace || location.metadata.labels?.[LOCATION_BUILD_UID_LABEL] === live) continue;
      await client.delete(refOf(location), { uid: location.metadata.uid! });
    }
  };

  const reconcile: Reconciler = async (request): Promise<Result | void> => {
    const build = builds.get(objectKey(request)) as unknown as ImageBuild | undefined;
    await deleteAbandonedLocations(request, build);
    if (!build || build.metadata?.deletionTimestamp) return;
    const obj = build as unknown as KubeObject;
    const previous = build.status ?? {};
    const now = new Date();
    const pod = pods.byIndex(BUILD_UID_LABEL, build.metadata!.uid!)[0];
    const write = async (status: ImageBuildStatus) => {
      const next = { ...status, observedGeneration: build.metadata?.generation };
      const onTransition = options.onTransition;
      if (onTransition) await recordTransitions(client, obj, previous, next, (transition) => onTransition({ ...build, status: next }, transition));
      await updateStatus(client, obj, { ...next });
      if (next.phase !== previous.phase) {
        const warning = next.phase === "Failed" || next.phase === "Cancelled";
        await events.record(obj, warning ? "Warning" : "Normal", next.reason ?? next.phase!, "Build", next.message ?? next.phase!);
      }
    };

    if (TERMINAL_PHASES.has(previous.phase ?? "")) {
      if (!pod) return;
      const left = Date.parse(previous.completionTime ?? now.toISOString()) + retentionMs - now.getTime();
      if (left > 0) return { requeueAfter: left };
      await deletePod(build, pod.metadata.name!);
      return;
    }
    const finish = async (phase: "Failed" | "Cancelled", reason: string, message: string) => {
      if (pod) await deletePod(build, pod.metadata.name!);
      await write({ ...previous, phase, reason, message, completionTime: now.toISOString() });
    };
    if (build.spec.cancel) return finish("Cancelled", "CancelRequested", "spec.cancel was set: the builder pod was deleted");
    const timeoutMs = (build.spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const deadlineLeft = Date.parse(build.metadata!.creationTimestamp!) + timeoutMs - now.getTime();
    if (deadlineLeft <= 0) return finish("Failed", "DeadlineExceeded", `the build did not finish within ${timeoutMs / 1000}s (spec.timeoutSeconds)`);

    if (!pod) {
      // Created before but not in the cache: the cache may lag our create, so ask the apiserver.
      if (previous.podName && (await client.get({ apiVersion: "v1", kind: "Pod", namespace: build.metadata!.namespace!, name: previous.podName }))) return;
      if (previous.podName && previous.phase === "Building") return finish("Failed", "BuilderPodDeleted", `the builder pod ${previous.podName} was deleted before it finished`);
      await placer.waitForSync();
      const nodeSelector = { ...placer.workerNodeSelector(build.metadata!.namespace!), ...build.spec.nodeSelector };
      const target = buildTarget({ ...build.spec, ...(Object.keys(nodeSelector).length > 0 && { nodeSelector }) }, nodes.list());
      if (typeof target === "string") {
        await write({ ...previous, phase: "Pending", reason: "NoBuildNode", message: target });
        return { requeueAfter: Math.min(options.noNodeRecheckMs ?? 30_000, deadlineLeft) };
      }
      const created = builderPod(build, target, options.builderImages ?? DEFAULT_BUILDER_IMAGES, imageOf(build));
      await client.createIfAbsent(created);
      await write({ phase: "Pending", reason: "BuilderCreated", message: `builder pod created for a ${target.runtime} node`, podName: created.metadata.name!, runtime: target.runtime, image: imageOf(build) });
      return { requeueAfter: deadlineLeft };
    }

    const progress = progressOf(pod, now.toISOString());
    if (progress.phase === "Succeeded") await recordBuilt(build, progress.node!, progress.digest);
    await write({ ...(previous.runtime ? { runtime: previous.runtime } : {}), image: imageOf(build), ...progress });
    return TERMINAL_PHASES.has(progress.phase!) ? { requeueAfter: retentionMs } : { requeueAfter: deadlineLeft };
  };

  const controller = manager.addController({ name: "imagebuild", reconciler: reconcile });
  controller.watch(builds);
  controller.watch(pods, { map: toControllerOwner(IMAGE_BUILD) });
  controller.watch(builtLocations, { map: (location) => [{ namespace: location.metadata.namespace, name: location.metadata.labels![BUILD_NAME_LABEL]! }] });
  const pendingForNodes = () =>
    builds.list().filter((b) => (b.status as ImageBuildStatus | undefined)?.reason === "NoBuildNode").map((b) => ({ namespace: b.metadata.namespace, name: b.metadata.name! }));
  controller.watch(nodes, { map: pendingForNodes });
  return controller;
}
