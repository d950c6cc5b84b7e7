import type { Layer } from "./event.js";
import type { EventTypeUnder } from "./event-types.js";
import { JobEvent, type Job, type JobEventInit } from "./job-event.js";
import { pipelineRunLayer, type PipelineRun } from "./pipeline-run.js";

export interface OneOffJob extends Job {
  /** Pipeline runs the job consists of, one per parameter combination. */
  totalRuns: number;
}

type OneOffJobEventType = EventTypeUnder<"project:one-off-job:">;
type OneOffJobRunEventType = EventTypeUnder<"project:one-off-job:pipeline-run:">;

export class OneOffJobEvent<T extends OneOffJobEventType = OneOffJobEventType> extends JobEvent<T> {
  declare readonly job: OneOffJob;

  constructor(init: JobEventInit<T, OneOffJob>) {
    super(init);
  }

  protected override layers(): Layer[] {
    return [
      ...super.layers(),
      { path: ["project", "job"], notification: { total_runs: this.job.totalRuns }, telemetryFields: ["total_runs"], derived: {} },
    ];
  }
}

export class OneOffJobPipelineRunEvent<T extends OneOffJobRunEventType = OneOffJobRunEventType> extends OneOffJobEvent<T> {
  readonly pipelineRun: PipelineRun;

  constructor(init: JobEventInit<T, OneOffJob> & { pipelineRun: PipelineRun }) {
    super(init);
    this.pipelineRun = init.pipelineRun;
  }

  protected override layers(): Layer[] {
    return [...super.layers(), pipelineRunLayer(["project", "job", "pipeline_run"], this.pipelineRun)];
  }
}
