import type { PipelineRun, PipelineRunStatus, PipelineStep, PipelineStepStatus } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";

type StepPhase = PipelineStepStatus["phase"];
const DONE: ReadonlySet<StepPhase> = new Set(["Succeeded", "Failed", "Skipped", "Cancelled"]);

interface PodStatus {
  phase?: string;
  startTime?: string;
  containerStatuses?: Array<{ state?: { terminated?: { exitCode: number; reason?: string; finishedAt?: string } } }>;
}

/** A step's status as its pod shows it; a step without a pod keeps what was recorded (Pending, Skipped, Cancelled). */
export function stepStatusOf(step: PipelineStep, pod: KubeObject | undefined, recorded: PipelineStepStatus | undefined): PipelineStepStatus {
  if (recorded && DONE.has(recorded.phase)) return recorded;
  if (!pod) return recorded ?? { uuid: step.uuid, phase: "Pending" };
  const status = (pod.status ?? {}) as PodStatus;
  const terminated = status.containerStatuses?.[0]?.state?.terminated;
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  const phase: StepPhase = status.phase === "Succeeded" ? "Succeeded" : status.phase === "Failed" ? "Failed" : "Running";
  return {
    uuid: step.uuid,
    phase,
    podName: pod.metadata.name!,
    ...(node ? { node } : {}),
    startTime: pod.metadata.creationTimestamp ?? new Date().toISOString(),
    ...(terminated ? { exitCode: terminated.exitCode } : {}),
    ...(phase === "Failed" ? { reason: terminated?.reason ?? "PodFailed" } : {}),
    ...(DONE.has(phase) ? { completionTime: terminated?.finishedAt ?? new Date().toISOString() } : {}),
  };
}

/** Pending steps that can never run because a step they depend on did not succeed. */
export function withSkips(steps: readonly PipelineStep[], statuses: PipelineStepStatus[]): PipelineStepStatus[] {
  const byUuid = new Map(statuses.map((s) => [s.uuid, s]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const step of steps) {
      const current = byUuid.get(step.uuid)!;
      if (current.phase !== "Pending") continue;
      const blocked = (step.dependsOn ?? []).find((p) => ["Failed", "Skipped", "Cancelled"].includes(byUuid.get(p)!.phase));
      if (blocked) {
        byUuid.set(step.uuid, { uuid: step.uuid, phase: "Skipped", reason: `DependencyNotSucceeded: ${blocked}` });
        changed = true;
      }
    }
  }
  return steps.map((s) => byUuid.get(s.uuid)!);
}

/** Pending steps whose parents have all succeeded: their pods are created now. */
export function readyToStart(steps: readonly PipelineStep[], statuses: readonly PipelineStepStatus[]): PipelineStep[] {
  const phase = new Map(statuses.map((s) => [s.uuid, s.phase]));
  return steps.filter((s) => phase.get(s.uuid) === "Pending" && (s.dependsOn ?? []).every((p) => phase.get(p) === "Succeeded"));
}

/** Every step not finished becomes Cancelled. */
export function cancelled(statuses: readonly PipelineStepStatus[], now: string): PipelineStepStatus[] {
  return statuses.map((s) => (DONE.has(s.phase) ? s : { ...s, phase: "Cancelled", reason: "RunCancelled", completionTime: now }));
}

/** The run's phase, reason and message from its steps. */
export function runOutcome(run: PipelineRun, statuses: readonly PipelineStepStatus[]): Pick<PipelineRunStatus, "phase" | "reason" | "message"> {
  const count = (phase: StepPhase) => statuses.filter((s) => s.phase === phase).length;
  const unfinished = statuses.filter((s) => !DONE.has(s.phase)).length;
  if (run.spec.cancel) return { phase: "Cancelled", reason: "Cancelled", message: "spec.cancel was set" };
  if (unfinished > 0) {
    const started = statuses.some((s) => s.phase !== "Pending");
    return started ? { phase: "Running", reason: "StepsRunning", message: `${count("Running")} running, ${count("Succeeded")} succeeded` } : { phase: "Pending", reason: "Starting", message: "no step started yet" };
  }
  const failed = statuses.filter((s) => s.phase === "Failed");
  if (failed.length > 0) {
    return { phase: "Failed", reason: "StepFailed", message: `failed: ${failed.map((s) => `${s.uuid} (${s.reason ?? "failed"}${s.exitCode === undefined ? "" : `, exit code ${s.exitCode}`})`).join(", ")}; ${count("Skipped")} skipped` };
  }
  return { phase: "Succeeded", reason: "AllStepsSucceeded", message: `${statuses.length} steps succeeded` };
}
