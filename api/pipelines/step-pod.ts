import type { PipelineRun, PipelineStep } from "../../crds/types/index.js";
import { withControllerReference, type KubeObject } from "../../reconcilers/index.js";
import { withPlacement, type Placement } from "../scheduling/index.js";
import { childName } from "./names.js";
import { stepEnv } from "./step-env.js";

export const RUN_UID_LABEL = "orchest.io/pipeline-run-uid";
export const STEP_LABEL = "orchest.io/step-uuid";
/** Where steps see the user directory's shared data folder, as in Orchest (data passing lives in the project: .orchest/pipelines). */
export const DATA_DIR = "/data";
/** Where steps see the project (their working directory) and the pipeline file: Orchest's paths. */
export const PROJECT_DIR = "/project-dir";
export const PIPELINE_FILE = "/pipeline.json";

/**
 * The pod of one step: owned by the run, never restarted (a failed step fails the run), placed by `placement`.
 * With spec.userdir it mounts what Orchest's step pods mounted, from the user directory: its data folder at
 * /data, the project at /project-dir (the working directory) and the pipeline file at /pipeline.json. Step
 * code runs as root, as in Orchest: its images and the user directory are root's.
 */
export function stepPod(run: PipelineRun, step: PipelineStep, placement: Placement): KubeObject {
  const spec = run.spec;
  const userdir = spec.userdir;
  const pipeline = userdir ? { ...spec.pipeline, path: PIPELINE_FILE } : spec.pipeline;
  const container: Record<string, unknown> = {
    name: "step",
    image: step.image,
    env: stepEnv(step.env ?? [], { project: spec.project, pipeline, step: step.uuid }),
    ...(step.command?.length ? { command: step.command } : {}),
    ...(userdir
      ? {
          workingDir: PROJECT_DIR,
          volumeMounts: [
            { name: "userdir", mountPath: DATA_DIR, subPath: "data" },
            { name: "userdir", mountPath: PROJECT_DIR, subPath: userdir.projectDir },
            { name: "userdir", mountPath: PIPELINE_FILE, subPath: `${userdir.projectDir.replace(/\/+$/, "")}/${spec.pipeline.path}` },
          ],
        }
      : {}),
  };
  const podSpec: Record<string, unknown> = {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    securityContext: { runAsUser: 0 },
    containers: [container],
    ...(userdir ? { volumes: [{ name: "userdir", persistentVolumeClaim: { claimName: userdir.claimName } }] } : {}),
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
