import type { Layer } from "./event.js";
import type { JsonObject } from "./json.js";
import type { RunStatus } from "./statuses.js";

export interface PipelineRunStep {
  uuid: string;
  title: string;
  status: RunStatus;
  parameters: JsonObject;
}

/** A pipeline run, interactive or of a job: the same part wherever it hangs in the hierarchy. */
export interface PipelineRun {
  uuid: string;
  status: RunStatus;
  /** Position of the run in its job (job runs only). */
  number?: number;
  /** Pipeline-level parameter values. */
  parameters: JsonObject;
  steps: PipelineRunStep[];
}

export function pipelineRunLayer(path: readonly string[], run: PipelineRun): Layer {
  const failed = run.steps.filter((step) => step.status === "FAILURE");
  return {
    path,
    notification: {
      uuid: run.uuid,
      status: run.status,
      ...(run.number === undefined ? {} : { number: run.number }),
      parameters: run.parameters,
      steps: run.steps.map(({ uuid, title, status, parameters }) => ({ uuid, title, status, parameters })),
      failed_steps: failed.map(({ uuid, title }) => ({ uuid, title })),
    },
    telemetryFields: ["uuid", "status", "number"],
    derived: {
      steps_count: run.steps.length,
      failed_steps_count: failed.length,
      pipeline_parameters_count: Object.keys(run.parameters).length,
      step_parameters_count: run.steps.reduce((sum, step) => sum + Object.keys(step.parameters).length, 0),
    },
  };
}
