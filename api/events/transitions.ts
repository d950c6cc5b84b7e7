/** What happens to a run or a build, for the event system to record (`...:created`, `...:started`, ...). */
export type LifecycleTransition = "created" | "started" | "succeeded" | "failed" | "cancelled";

/** The part of a PipelineRun's or an ImageBuild's status that says where it is. */
export interface Lifecycle {
  readonly phase?: string;
  readonly startTime?: string;
}

const ENDINGS: Readonly<Record<string, LifecycleTransition>> = { Succeeded: "succeeded", Failed: "failed", Cancelled: "cancelled" };

/**
 * The transitions from one status to the next, in the order they happened. Several at once when the
 * controller saw them together, e.g. created and started on the first reconcile. What never started (an
 * invalid run, a build cancelled first) has no "started".
 */
export function transitionsBetween(previous: Lifecycle, next: Lifecycle): LifecycleTransition[] {
  const transitions: LifecycleTransition[] = [];
  if (previous.phase === undefined) transitions.push("created");
  if (!previous.startTime && next.startTime) transitions.push("started");
  const ending = next.phase === previous.phase ? undefined : ENDINGS[next.phase ?? ""];
  if (ending) transitions.push(ending);
  return transitions;
}
