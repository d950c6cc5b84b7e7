// fast-check generators of events for property tests: every text a user could have typed is wrapped in
// « », so a test can see at a glance whether any of it reached a payload.
import fc from "fast-check";
import { CronJobEvent, CronJobRunEvent, CronJobRunPipelineRunEvent, type CronJob, type CronJobRun } from "./cron-job-event.js";
import { EnvironmentEvent, EnvironmentImageBuildEvent, type EnvironmentImageBuild } from "./environment-event.js";
import type { OrchestEvent } from "./event.js";
import { EVENT_TYPES, type EventTypeUnder } from "./event-types.js";
import { JobEvent, type Job } from "./job-event.js";
import { JupyterImageBuildEvent } from "./jupyter-event.js";
import type { JsonObject, JsonValue } from "./json.js";
import { OneOffJobEvent, OneOffJobPipelineRunEvent, type OneOffJob } from "./one-off-job-event.js";
import type { PipelineRun } from "./pipeline-run.js";
import { InteractivePipelineRunEvent, InteractiveSessionEvent, PipelineEvent, type UserService } from "./pipeline-event.js";
import { ProjectEvent } from "./project-event.js";
import { JOB_STATUSES, RUN_STATUSES } from "./statuses.js";

export const SENSITIVE_MARK = "«";

/** Anything a user typed: names, paths, commands, parameter and environment keys and values. */
export const userText = fc.string({ maxLength: 12 }).map((text) => `«${text}»`);

const userRecord = fc.dictionary(userText, userText, { maxKeys: 4 });
const parameterValue: fc.Arbitrary<JsonValue> = fc.oneof(userText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.array(userText, { maxLength: 3 }));
const parameters: fc.Arbitrary<JsonObject> = fc.dictionary(userText, parameterValue, { maxKeys: 4 });
const runStatus = fc.constantFrom(...RUN_STATUSES);

function typesUnder<P extends string>(prefix: P): fc.Arbitrary<EventTypeUnder<P>> {
  return fc.constantFrom(...EVENT_TYPES.filter((type): type is EventTypeUnder<P> => type.startsWith(prefix)));
}

const base = { id: fc.uuid(), timestamp: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }) };
const project = fc.record({ uuid: fc.uuid(), name: userText });
const environment = fc.record({ uuid: fc.uuid(), name: userText });
const imageBuild: fc.Arbitrary<EnvironmentImageBuild> = fc.record({
  imageTag: fc.nat(),
  status: runStatus,
  baseImage: fc.oneof(userText, userText.map((text) => `orchest/${text}`)),
});
const pipeline = fc.record({ uuid: fc.uuid(), name: userText, path: userText });
const userService: fc.Arbitrary<UserService> = fc.record({ name: userText, image: userText, command: userText, env: userRecord, binds: userRecord });
const session = fc.record({ userServices: fc.array(userService, { maxLength: 3 }) });
const pipelineRun: fc.Arbitrary<PipelineRun> = fc.record(
  {
    uuid: fc.uuid(),
    status: runStatus,
    number: fc.nat(),
    parameters,
    steps: fc.array(fc.record({ uuid: fc.uuid(), title: userText, status: runStatus, parameters }), { maxLength: 4 }),
  },
  { requiredKeys: ["uuid", "status", "parameters", "steps"] },
);
const jobFields = {
  uuid: fc.uuid(),
  name: userText,
  pipelineName: userText,
  status: fc.constantFrom(...JOB_STATUSES),
  envVariables: userRecord,
};
const job: fc.Arbitrary<Job> = fc.record(jobFields);
const oneOffJob: fc.Arbitrary<OneOffJob> = fc.record({ ...jobFields, totalRuns: fc.nat() });
const cronJob: fc.Arbitrary<CronJob> = fc.record(
  { ...jobFields, schedule: userText, nextScheduledTime: base.timestamp },
  { requiredKeys: ["uuid", "name", "pipelineName", "status", "envVariables", "schedule"] },
);
const cronRun: fc.Arbitrary<CronJobRun> = fc.record({ number: fc.nat(), totalPipelineRuns: fc.nat(), status: runStatus });

/** One generator per class of the hierarchy, with every type the class accepts. */
export const anyEvent: fc.Arbitrary<OrchestEvent> = fc.oneof(
  fc.record({ ...base, type: typesUnder("project:"), project }).map((init) => new ProjectEvent(init)),
  fc.record({ ...base, type: typesUnder("project:environment:"), project, environment }).map((init) => new EnvironmentEvent(init)),
  fc
    .record({ ...base, type: typesUnder("project:environment:image-build:"), project, environment, imageBuild })
    .map((init) => new EnvironmentImageBuildEvent(init)),
  fc.record({ ...base, type: typesUnder("project:pipeline:"), project, pipeline }).map((init) => new PipelineEvent(init)),
  fc
    .record({ ...base, type: typesUnder("project:pipeline:interactive-session:"), project, pipeline, session })
    .map((init) => new InteractiveSessionEvent(init)),
  fc
    .record({ ...base, type: typesUnder("project:pipeline:interactive-session:pipeline-run:"), project, pipeline, session, pipelineRun })
    .map((init) => new InteractivePipelineRunEvent(init)),
  fc.record({ ...base, type: typesUnder("project:one-off-job:"), project, job }).map((init) => new JobEvent(init)),
  fc.record({ ...base, type: typesUnder("project:one-off-job:"), project, job: oneOffJob }).map((init) => new OneOffJobEvent(init)),
  fc
    .record({ ...base, type: typesUnder("project:one-off-job:pipeline-run:"), project, job: oneOffJob, pipelineRun })
    .map((init) => new OneOffJobPipelineRunEvent(init)),
  fc.record({ ...base, type: typesUnder("project:cron-job:"), project, job: cronJob }).map((init) => new CronJobEvent(init)),
  fc.record({ ...base, type: typesUnder("project:cron-job:run:"), project, job: cronJob, run: cronRun }).map((init) => new CronJobRunEvent(init)),
  fc
    .record({ ...base, type: typesUnder("project:cron-job:run:pipeline-run:"), project, job: cronJob, run: cronRun, pipelineRun })
    .map((init) => new CronJobRunPipelineRunEvent(init)),
  fc
    .record({ ...base, type: typesUnder("jupyter:image-build:"), imageBuild: fc.record({ uuid: fc.uuid(), status: runStatus }) })
    .map((init) => new JupyterImageBuildEvent(init)),
);
