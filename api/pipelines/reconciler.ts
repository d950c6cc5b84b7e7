import type { PipelineRun, PipelineRunStatus } from "../../crds/types/index.js";
import {
  byLabel,
  objectKey,
  toControllerOwner,
  updateStatus,
  type Controller,
  type GroupVersionKind,
  type KubeObject,
  type Manager,
  type Reconciler,
} from "../../reconcilers/index.js";
import { stepImage } from "../builds/index.js";
import { ImagePlacer } from "../scheduling/index.js";
import { cycleIn } from "./dag.js";
import { cancelled, readyToStart, runOutcome, stepStatusOf, withSkips } from "./run-state.js";
import { recordTransitions, type LifecycleTransition } from "../events/index.js";
import { RUN_UID_LABEL, STEP_LABEL, stepPod } from "./step-pod.js";

export const PIPELINE_RUN: GroupVersionKind = { apiVersion: "orchest.io/v1alpha1", kind: "PipelineRun" };

/** Receives the run with the status that shows the transition; may be called again for the same one. */
export type RunTransitionSink = (run: PipelineRun, transition: LifecycleTransition) => Promise<void>;

export interface PipelineRunControllerOptions {
  /** Watch runs (and their pods and ImageLocations) of this namespace only, as the api does; all namespaces when unset. */
  readonly namespace?: string;
  /**
   * Called for every transition before the status that shows it is written, so that none is lost: a
   * failed call fails the reconcile, which is retried, and a crash in between calls it again.
   */
  readonly onTransition?: RunTransitionSink;
  /** The in-cluster registry (host[:port]): a step image that names no registry is an environment's there. @default none: as written */
  readonly registryHost?: string;
}

/** The phases a Kubernetes Event is recorded for. */
const EVENTFUL_PHASES: ReadonlySet<PipelineRunStatus["phase"]> = new Set(["Running", "Succeeded", "Failed", "Cancelled"]);

/**
 * Runs PipelineRuns: each step a pod once its parents succeeded, interactive runs placed on nodes holding
 * the step image, outcomes in status. Step pods are owned by the run: deleting the run deletes them.
 */
export function addPipelineRunController(manager: Manager, options: PipelineRunControllerOptions = {}): Controller {
  const { client, informers } = manager;
  const events = manager.eventRecorder("orchest-api");
  const scope = options.namespace ? { namespace: options.namespace } : {};
  const runs = informers.informerFor(PIPELINE_RUN, scope);
  const pods = informers.informerFor({ apiVersion: "v1", kind: "Pod" }, { ...scope, labelSelector: RUN_UID_LABEL });
  pods.addIndexer(RUN_UID_LABEL, byLabel(RUN_UID_LABEL));
  const placer = new ImagePlacer(informers, options.namespace);

  const reconcile: Reconciler = async (request) => {
    const run = runs.get(objectKey(request)) as unknown as PipelineRun | undefined;
    if (!run || run.metadata?.deletionTimestamp) return;
    const obj = run as unknown as KubeObject;
    const previous = run.status ?? {};
    const now = new Date().toISOString();
    const generation = run.metadata?.generation;
    const commit = async (status: PipelineRunStatus) => {
      const onTransition = options.onTransition;
      if (onTransition) await recordTransitions(client, obj, previous, status, (transition) => onTransition({ ...run, status }, transition));
      await updateStatus(client, obj, { ...status });
    };

    const cycle = cycleIn(run.spec.steps);
    if (cycle) {
      if (previous.phase !== "Failed") await events.record(obj, "Warning", "InvalidPipeline", "Validate", cycle);
      await commit({ ...previous, observedGeneration: generation, phase: "Failed", reason: "InvalidPipeline", message: cycle, completionTime: previous.completionTime ?? now });
      return;
    }

    const podOf = new Map(pods.byIndex(RUN_UID_LABEL, run.metadata!.uid!).map((p) => [p.metadata.labels![STEP_LABEL]!, p]));
    const recorded = new Map((previous.steps ?? []).map((s) => [s.uuid, s]));
    let steps = withSkips(run.spec.steps, run.spec.steps.map((s) => stepStatusOf(s, podOf.get(s.uuid), recorded.get(s.uuid))));

    if (run.spec.cancel) {
      for (const s of steps.filter((s) => s.phase === "Running")) await client.delete({ apiVersion: "v1", kind: "Pod", namespace: run.metadata!.namespace!, name: s.podName! });
      steps = cancelled(steps, now);
    } else {
      const scope = run.spec.mode === "Interactive" ? "interactive" : "non-interactive";
      // Placement reads caches this controller does not watch: they must hold the cluster before a pod is placed.
      await placer.waitForSync();
      for (const step of readyToStart(run.spec.steps, steps).map((s) => ({ ...s, image: stepImage(s.image, options.registryHost) }))) {
        const placement = placer.place(step.image, scope, run.metadata!.namespace!);
        if (placement.unconstrained) await events.record(obj, "Warning", "ImageNotOnAnyNode", "Schedule", `step ${step.uuid}: ${placement.unconstrained}`);
        const pod = stepPod(run, step, placement);
        await client.createIfAbsent(pod);
        steps = steps.map((s) => (s.uuid === step.uuid ? { uuid: s.uuid, phase: "Running", podName: pod.metadata.name!, startTime: now } : s));
      }
    }

    const outcome = runOutcome(run, steps);
    const finished = ["Succeeded", "Failed", "Cancelled"].includes(outcome.phase!);
    const started = steps.some((s) => s.startTime);
    const status: PipelineRunStatus = {
      ...(previous.conditions ? { conditions: previous.conditions } : {}),
      observedGeneration: generation,
      ...outcome,
      progress: `${steps.filter((s) => s.phase === "Succeeded").length}/${steps.length}`,
      ...(started || previous.startTime ? { startTime: previous.startTime ?? now } : {}),
      ...(finished ? { completionTime: previous.completionTime ?? now } : {}),
      steps,
    };
    await commit(status);
    if (status.phase !== previous.phase && EVENTFUL_PHASES.has(status.phase)) {
      await events.record(obj, status.phase === "Failed" ? "Warning" : "Normal", status.reason!, "Run", status.message!);
    }
  };

  const controller = manager.addController({ name: "pipelinerun", reconciler: reconcile });
  controller.watch(runs);
  controller.watch(pods, { map: toControllerOwner(PIPELINE_RUN) });
  return controller;
}
