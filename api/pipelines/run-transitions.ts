import type { PipelineRunStatus } from "../../crds/types/index.js";

/** What happens to a run, for the Orchest event system (api/events) to record as pipeline-run events. */
export type RunTransition = "created" | "started" | "succeeded" | "failed" | "cancelled";

const ENDINGS: Partial<Record<NonNullable<PipelineRunStatus["phase"]>, RunTransition>> = {
  Succeeded: "succeeded",
  Failed: "failed",
  Cancelled: "cancelled",
};

/**
 * The transitions from one status of a run to the next, in the order they happened. Several at once when
 * the controller saw them together, e.g. created and started on the first reconcile. A run that never
 * started a step (invalid, or cancelled first) has no "started".
 */
export function transitionsBetween(previous: PipelineRunStatus, next: PipelineRunStatus): RunTransition[] {
  const transitions: RunTransition[] = [];
  if (previous.phase === undefined) transitions.push("created");
  if (!previous.startTime && next.startTime) transitions.push("started");
  const ending = next.phase === previous.phase ? undefined : ENDINGS[next.phase!];
  if (ending) transitions.push(ending);
  return transitions;
}
