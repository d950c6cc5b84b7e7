/* eslint-disable */
// Generated from crds/pipelineruns.orchest.io.yaml by crds/generate.ts. Do not edit by hand:
// change the CRD YAML and run `npx tsc && node lib/crds/generate.js`.
import type { Condition } from "./common.js";
import type { ObjectMeta } from "./meta.js";

/**
 * PipelineRun runs the steps of one Orchest pipeline, each as a pod started once all the steps it depends on have succeeded. Interactive runs (from the pipeline editor) are placed on nodes that already hold the step images; job runs go anywhere.
 */
export interface PipelineRun {
  /**
   * APIVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
   */
  apiVersion?: string;
  /**
   * Kind is a string value representing the REST resource this object represents. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
   */
  kind?: string;
  /**
   * Standard object metadata.
   */
  metadata?: ObjectMeta;
  /**
   * What to run.
   */
  spec: PipelineRunSpec;
  /**
   * Progress of the run.
   */
  status?: PipelineRunStatus;
}

/**
 * What to run.
 */
export interface PipelineRunSpec {
  /**
   * Interactive (a run from the pipeline editor: steps go to nodes that hold their image) or Job (a job's run: steps go to any node). Immutable.
   */
  mode: "Interactive" | "Job";
  /**
   * UUID of the project (ORCHEST_PROJECT_UUID of every step).
   */
  project: string;
  /**
   * Name of the project, for people (the notification payload of the run's events); never sent as telemetry. Immutable.
   */
  projectName?: string;
  /**
   * The pipeline the steps belong to.
   */
  pipeline: PipelineRef;
  /**
   * The job this run is a run of: set for Job runs, absent for Interactive ones. Its type chooses the events the run emits: project:one-off-job:pipeline-run:* or project:cron-job:run:pipeline-run:*. Immutable.
   */
  job?: JobRef;
  /**
   * The user directory (Orchest's userdir-pvc) and the project in it, mounted into every step as Orchest mounted them: /data (its data folder, where steps pass data to each other with the SDK), /project-dir (the project, the steps' working directory) and /pipeline.json (the pipeline file, which ORCHEST_PIPELINE_PATH then names). Without it steps get no volume.
   */
  userdir?: {
    /**
     * Name of the PersistentVolumeClaim in the run's namespace, e.g. userdir-pvc.
     */
    claimName: string;
    /**
     * The project's folder in the claim, e.g. projects/churn; the pipeline file is spec.pipeline.path in it.
     */
    projectDir: string;
  };
  /**
   * The steps; a step starts once every step of its dependsOn has succeeded.
   *
   * @minItems 1
   * @maxItems 100
   */
  steps: [PipelineStep, ...PipelineStep[]];
  /**
   * Set to true to cancel the run; running step pods are deleted, steps not started are Cancelled. Cannot be set back to false.
   */
  cancel?: boolean;
}

/**
 * The pipeline the steps belong to.
 */
export interface PipelineRef {
  /**
   * UUID of the pipeline (ORCHEST_PIPELINE_UUID).
   */
  uuid: string;
  /**
   * Path of the pipeline file in the project, e.g. main.orchest (mounted at /pipeline.json with spec.userdir).
   */
  path: string;
  /**
   * Name of the pipeline, for people (the notification payload of the run's events); never sent as telemetry.
   */
  name?: string;
}

/**
 * The job this run is a run of: set for Job runs, absent for Interactive ones. Its type chooses the events the run emits: project:one-off-job:pipeline-run:* or project:cron-job:run:pipeline-run:*. Immutable.
 */
export interface JobRef {
  /**
   * UUID of the job.
   */
  uuid: string;
  /**
   * Name of the job, for people (the notification payload of the run's events); never sent as telemetry.
   */
  name?: string;
  /**
   * OneOff (a job run once, possibly over several parameter sets) or Cron (a job run on a schedule).
   */
  type: "OneOff" | "Cron";
}

export interface PipelineStep {
  /**
   * UUID of the step (ORCHEST_STEP_UUID); DNS-1123 safe characters only, it names the step's pod.
   */
  uuid: string;
  /**
   * Title of the step, for people.
   */
  title?: string;
  /**
   * Image of the step's environment.
   */
  image: string;
  /**
   * Command of the step's container (argv, never run through a shell by Orchest).
   *
   * @maxItems 128
   */
  command?: string[];
  /**
   * User environment variables; Orchest's own ORCHEST_* variables come after them and win.
   *
   * @maxItems 128
   */
  env?: {
    /**
     * Name of the variable.
     */
    name: string;
    /**
     * Value of the variable.
     */
    value?: string;
  }[];
  /**
   * UUIDs of the steps that must succeed before this one starts.
   *
   * @maxItems 32
   */
  dependsOn?: string[];
}

/**
 * Progress of the run.
 */
export interface PipelineRunStatus {
  /**
   * The .metadata.generation the controller last acted on.
   */
  observedGeneration?: number;
  /**
   * Pending: no step started yet; Running: steps run; Succeeded: every step succeeded; Failed: a step failed (later steps are Skipped) or the pipeline is invalid; Cancelled: spec.cancel was set.
   */
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Cancelled";
  /**
   * Machine readable CamelCase reason of the current phase.
   */
  reason?: string;
  /**
   * Human readable explanation of the current phase.
   */
  message?: string;
  /**
   * Succeeded steps out of all steps, e.g. 2/3.
   */
  progress?: string;
  /**
   * When the first step pod was created.
   */
  startTime?: string;
  /**
   * When the run finished.
   */
  completionTime?: string;
  /**
   * Outcome of every step, in spec order.
   */
  steps?: PipelineStepStatus[];
  /**
   * Standard Kubernetes conditions of the object.
   */
  conditions?: Condition[];
}

export interface PipelineStepStatus {
  /**
   * UUID of the step.
   */
  uuid: string;
  /**
   * Pending, Running, Succeeded, Failed, Skipped (a step it depends on did not succeed) or Cancelled.
   */
  phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Skipped" | "Cancelled";
  /**
   * Name of the step's pod.
   */
  podName?: string;
  /**
   * Node the step's pod ran on.
   */
  node?: string;
  /**
   * Exit code of the step's container.
   */
  exitCode?: number;
  /**
   * Machine readable reason of a Failed, Skipped or Cancelled step.
   */
  reason?: string;
  /**
   * When the step's pod was created.
   */
  startTime?: string;
  /**
   * When the step finished.
   */
  completionTime?: string;
}
