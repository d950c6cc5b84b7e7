import type { EventScope, Layer } from "./event.js";
import type { EventTypeUnder } from "./event-types.js";
import { ProjectEvent, type ProjectEventInit } from "./project-event.js";
import type { JobStatus } from "./statuses.js";

export interface Job {
  uuid: string;
  name: string;
  pipelineName: string;
  status: JobStatus;
  envVariables: Record<string, string>;
}

export type JobEventType = EventTypeUnder<"project:one-off-job:"> | EventTypeUnder<"project:cron-job:">;
export type JobEventInit<T extends JobEventType, J extends Job> = ProjectEventInit<T> & { job: J };

/** What one-off and cron jobs share; webhooks can be scoped to one job. */
export class JobEvent<T extends JobEventType = JobEventType> extends ProjectEvent<T> {
  readonly job: Job;

  constructor(init: JobEventInit<T, Job>) {
    super(init);
    this.job = init.job;
  }

  override get scope(): EventScope {
    return { ...super.scope, jobUuid: this.job.uuid };
  }

  protected override layers(): Layer[] {
    const { uuid, name, pipelineName, status, envVariables } = this.job;
    return [
      ...super.layers(),
      {
        path: ["project", "job"],
        notification: { uuid, name, pipeline_name: pipelineName, status },
        telemetryFields: ["uuid", "status"],
        derived: { env_variables_count: Object.keys(envVariables).length },
      },
    ];
  }
}
