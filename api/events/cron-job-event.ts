import type { Layer } from "./event.js";
import type { EventTypeUnder } from "./event-types.js";
import { JobEvent, type Job, type JobEventInit } from "./job-event.js";
import { pipelineRunLayer, type PipelineRun } from "./pipeline-run.js";
import type { RunStatus } from "./statuses.js";

export interface CronJob extends Job {
  /** Cron expression, as the user wrote it. */
  schedule: string;
  nextScheduledTime?: Date;
}

/** One firing of a cron job: a batch of pipeline runs. */
export interface CronJobRun {
  number: number;
  totalPipelineRuns: number;
  status: RunStatus;
}

type CronJobEventType = EventTypeUnder<"project:cron-job:">;
type CronJobRunEventType = EventTypeUnder<"project:cron-job:run:">;
type CronJobRunPipelineRunEventType = EventTypeUnder<"project:cron-job:run:pipeline-run:">;
type CronJobRunEventInit<T extends CronJobRunEventType> = JobEventInit<T, CronJob> & { run: CronJobRun };

export class CronJobEvent<T extends CronJobEventType = CronJobEventType> extends JobEvent<T> {
  declare readonly job: CronJob;

  constructor(init: JobEventInit<T, CronJob>) {
    super(init);
  }

  protected override layers(): Layer[] {
    const next = this.job.nextScheduledTime?.toISOString() ?? null;
    return [
      ...super.layers(),
      {
        path: ["project", "job"],
        notification: { schedule: this.job.schedule, next_scheduled_time: next },
        telemetryFields: ["next_scheduled_time"],
        derived: {},
      },
    ];
  }
}

export class CronJobRunEvent<T extends CronJobRunEventType = CronJobRunEventType> extends CronJobEvent<T> {
  readonly run: CronJobRun;

  constructor(init: CronJobRunEventInit<T>) {
    super(init);
    this.run = init.run;
  }

  protected override layers(): Layer[] {
    const { number, totalPipelineRuns, status } = this.run;
    return [
      ...super.layers(),
      {
        path: ["project", "job", "run"],
        notification: { number, total_pipeline_runs: totalPipelineRuns, status },
        telemetryFields: ["number", "total_pipeline_runs", "status"],
        derived: {},
      },
    ];
  }
}

export class CronJobRunPipelineRunEvent<
  T extends CronJobRunPipelineRunEventType = CronJobRunPipelineRunEventType,
> extends CronJobRunEvent<T> {
  readonly pipelineRun: PipelineRun;

  constructor(init: CronJobRunEventInit<T> & { pipelineRun: PipelineRun }) {
    super(init);
    this.pipelineRun = init.pipelineRun;
  }

  protected override layers(): Layer[] {
    return [...super.layers(), pipelineRunLayer(["project", "job", "run", "pipeline_run"], this.pipelineRun)];
  }
}
