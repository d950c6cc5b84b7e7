/** Orchest's status values: a closed set, so telemetry may carry them as they are. */
export const RUN_STATUSES = ["PENDING", "STARTED", "SUCCESS", "FAILURE", "ABORTED"] as const;
export const JOB_STATUSES = ["DRAFT", "PENDING", "STARTED", "PAUSED", "SUCCESS", "FAILURE", "ABORTED"] as const;

/** Status of an image build, a pipeline run, a step or a cron job run. */
export type RunStatus = (typeof RUN_STATUSES)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];
