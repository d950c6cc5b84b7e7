import type { PipelineRun, PipelineStepStatus } from "../../crds/types/index.js";
import {
  CronJobRunPipelineRunEvent,
  InteractivePipelineRunEvent,
  OneOffJobPipelineRunEvent,
  transitionEventId,
  type LifecycleTransition,
  type OrchestEvent,
  type Outbox,
  type PipelineRun as RunPart,
  type RunStatus,
} from "../events/index.js";
import type { RunTransitionSink } from "./reconciler.js";

const RUN_STATUS: Record<LifecycleTransition, RunStatus> = { created: "PENDING", started: "STARTED", succeeded: "SUCCESS", failed: "FAILURE", cancelled: "ABORTED" };
const STEP_STATUS: Record<PipelineStepStatus["phase"], RunStatus> = { Pending: "PENDING", Running: "STARTED", Succeeded: "SUCCESS", Failed: "FAILURE", Skipped: "ABORTED", Cancelled: "ABORTED" };

/**
 * What the job layers need and a run does not know: the job's own status, env and size, the cron
 * schedule and firing. Stand-ins until the api keeps jobs; names the run was not given are empty.
 */
const UNKNOWN_TO_RUN = {
  job: { status: "STARTED", envVariables: {}, totalRuns: 1, schedule: "" },
  firing: { number: 0, totalPipelineRuns: 1 },
} as const;

/**
 * The Orchest event of one transition of a run, by kind of run: interactive
 * (project:pipeline:interactive-session:pipeline-run:*), one-off job (project:one-off-job:pipeline-run:*)
 * or cron job (project:cron-job:run:pipeline-run:*). Its id is the same whenever it is built again.
 */
export function runEvent(run: PipelineRun, transition: LifecycleTransition): OrchestEvent {
  const { spec } = run;
  const common = {
    id: transitionEventId(run.metadata!.uid!, transition),
    timestamp: new Date(timeOf(run, transition) ?? Date.now()),
    project: { uuid: spec.project, name: spec.projectName ?? "" },
    pipelineRun: runPart(run, transition),
  };
  if (!spec.job) {
    const pipeline = { uuid: spec.pipeline.uuid, path: spec.pipeline.path, name: spec.pipeline.name ?? "" };
    // The session's services are the session's business: a run does not know them.
    return new InteractivePipelineRunEvent({ ...common, type: `project:pipeline:interactive-session:pipeline-run:${transition}`, pipeline, session: { userServices: [] } });
  }
  const job = { ...UNKNOWN_TO_RUN.job, uuid: spec.job.uuid, name: spec.job.name ?? "", pipelineName: spec.pipeline.name ?? "" };
  if (spec.job.type === "OneOff") return new OneOffJobPipelineRunEvent({ ...common, type: `project:one-off-job:pipeline-run:${transition}`, job });
  const firing = { ...UNKNOWN_TO_RUN.firing, status: RUN_STATUS[transition] };
  return new CronJobRunPipelineRunEvent({ ...common, type: `project:cron-job:run:pipeline-run:${transition}`, job, run: firing });
}

/** Records every transition through the outbox; recording one again delivers nothing new. */
export function recordRunEvents(outbox: Pick<Outbox, "record">): RunTransitionSink {
  return async (run, transition) => void (await outbox.record(runEvent(run, transition)));
}

/** When the transition happened, as the run recorded it: the same time on every reconcile. */
function timeOf(run: PipelineRun, transition: LifecycleTransition): string | undefined {
  if (transition === "created") return run.metadata?.creationTimestamp;
  if (transition === "started") return run.status?.startTime;
  return run.status?.completionTime;
}

function runPart(run: PipelineRun, transition: LifecycleTransition): RunPart {
  const phases = new Map((run.status?.steps ?? []).map((step) => [step.uuid, step.phase]));
  return {
    uuid: run.metadata!.uid!,
    status: RUN_STATUS[transition],
    parameters: {},
    steps: run.spec.steps.map((step) => ({ uuid: step.uuid, title: step.title ?? "", status: STEP_STATUS[phases.get(step.uuid) ?? "Pending"], parameters: {} })),
  };
}
