import type { PipelineRun, PipelineStep } from "../../crds/types/index.js";
import { withControllerReference, type KubeObject } from "../../reconcilers/index.js";
import { withPlacement, type Placement } from "../scheduling/index.js";
import { childName } from "./names.js";
import { stepEnv } from "./step-env.js";

export const RUN_UID_LABEL = "orchest.io/pipeline-run-uid";
export const STEP_LABEL = "orchest.io/step-uuid";
/** Where steps see the run's data volume: the SDK's disk transfer writes there. */
export const DATA_DIR = "/data";

/** The pod of one step: owned by the run, never restarted (a failed step fails the run), placed by `placement`. */
export function stepPod(run: PipelineRun, step: PipelineStep, placement: Placement): KubeObject {
  const spec = run.spec;
  const container: Record<string, unknown> = {
    name: "step",
    image: step.image,
    env: stepEnv(step.env ?? [], { project: spec.project, pipeline: spec.pipeline, step: step.uuid }),
    ...(step.command?.length ? { command: step.command } : {}),
    ...(spec.dataVolume ? { volumeMounts: [{ name: "data", mountPath: DATA_DIR }] } : {}),
  };
  const podSpec: Record<string, unknown> = {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    containers: [container],
    ...(spec.dataVolume ? { volumes: [{ name: "data", persistentVolumeClaim: { claimName: spec.dataVolume.claimName } }] } : {}),
  };
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: childName(run.metadata!.name!, step.uuid),
      namespace: run.metadata!.namespace!,
      labels: { [RUN_UID_LABEL]: run.metadata!.uid!, [STEP_LABEL]: step.uuid, "app.kubernetes.io/managed-by": "orchest-api" },
    },
    spec: withPlacement(podSpec, placement),
  };
  return withControllerReference(pod, run as unknown as KubeObject);
}
