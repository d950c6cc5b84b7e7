import test from "ava";
import { CronJobRunPipelineRunEvent } from "./cron-job-event.js";
import { EnvironmentImageBuildEvent } from "./environment-event.js";
import { OneOffJobPipelineRunEvent } from "./one-off-job-event.js";
import type { PipelineRun } from "./pipeline-run.js";
import { ProjectEvent } from "./project-event.js";

const timestamp = new Date("2024-05-01T10:00:00.000Z");
const project = { uuid: "p-1", name: "churn model" };
const job = { uuid: "j-1", name: "nightly", pipelineName: "train", status: "STARTED", envVariables: { TOKEN: "s3cret" } } as const;
const run: PipelineRun = {
  uuid: "r-1",
  status: "FAILURE",
  number: 3,
  parameters: { alpha: 0.1 },
  steps: [
    { uuid: "s-1", title: "load", status: "SUCCESS", parameters: {} },
    { uuid: "s-2", title: "fit", status: "FAILURE", parameters: { epochs: 5, lr: 0.01 } },
  ],
};

test("a job's pipeline run adds its part under the job, which sits under the project", (t) => {
  const event = new OneOffJobPipelineRunEvent({
    id: "e-1",
    type: "project:one-off-job:pipeline-run:failed",
    timestamp,
    project,
    job: { ...job, totalRuns: 4 },
    pipelineRun: run,
  });
  t.deepEqual(event.notificationPayload(), {
    uuid: "e-1",
    type: "project:one-off-job:pipeline-run:failed",
    timestamp: "2024-05-01T10:00:00.000Z",
    project: {
      uuid: "p-1",
      name: "churn model",
      job: {
        uuid: "j-1",
        name: "nightly",
        pipeline_name: "train",
        status: "STARTED",
        total_runs: 4,
        pipeline_run: {
          uuid: "r-1",
          status: "FAILURE",
          number: 3,
          parameters: { alpha: 0.1 },
          steps: [
            { uuid: "s-1", title: "load", status: "SUCCESS", parameters: {} },
            { uuid: "s-2", title: "fit", status: "FAILURE", parameters: { epochs: 5, lr: 0.01 } },
          ],
          failed_steps: [{ uuid: "s-2", title: "fit" }],
        },
      },
    },
  });
});

test("telemetry keeps identifiers and statuses and turns the rest into counts", (t) => {
  const event = new CronJobRunPipelineRunEvent({
    id: "e-2",
    type: "project:cron-job:run:pipeline-run:failed",
    timestamp,
    project,
    job: { ...job, schedule: "0 * * * *" },
    run: { number: 7, totalPipelineRuns: 2, status: "FAILURE" },
    pipelineRun: run,
  });
  t.deepEqual(event.telemetryPayload(), {
    event_properties: {
      uuid: "e-2",
      type: "project:cron-job:run:pipeline-run:failed",
      timestamp: "2024-05-01T10:00:00.000Z",
      project: {
        uuid: "p-1",
        job: {
          uuid: "j-1",
          status: "STARTED",
          next_scheduled_time: null,
          run: { number: 7, total_pipeline_runs: 2, status: "FAILURE", pipeline_run: { uuid: "r-1", status: "FAILURE", number: 3 } },
        },
      },
    },
    derived_properties: {
      project: {
        job: {
          env_variables_count: 1,
          run: {
            pipeline_run: { steps_count: 2, failed_steps_count: 1, pipeline_parameters_count: 1, step_parameters_count: 2 },
          },
        },
      },
    },
  });
});

test("an image build tells telemetry whether Orchest's base image is used, not which image", (t) => {
  const build = (baseImage: string) =>
    new EnvironmentImageBuildEvent({
      id: "e-3",
      type: "project:environment:image-build:succeeded",
      timestamp,
      project,
      environment: { uuid: "env-1", name: "gpu" },
      imageBuild: { imageTag: 2, status: "SUCCESS", baseImage },
    }).telemetryPayload();
  const ours = build("orchest/base-kernel-py:v2024.05.0");
  const theirs = build("registry.corp.example/team/image:1");
  t.deepEqual(ours.derived_properties, { project: { environment: { image_build: { uses_orchest_base_image: true } } } });
  t.false(JSON.stringify(theirs).includes("corp"));
});

test("an event's scope names its project, and its job for job events", (t) => {
  t.deepEqual(new ProjectEvent({ id: "e", type: "project:created", timestamp, project }).scope, { projectUuid: "p-1" });
  const jobEvent = new OneOffJobPipelineRunEvent({
    id: "e",
    type: "project:one-off-job:pipeline-run:started",
    timestamp,
    project,
    job: { ...job, totalRuns: 1 },
    pipelineRun: run,
  });
  t.deepEqual(jobEvent.scope, { projectUuid: "p-1", jobUuid: "j-1" });
});
