import type { ImageBuildStatus } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";

interface Terminated {
  exitCode: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

interface BuilderPodStatus {
  phase?: string;
  startTime?: string;
  reason?: string;
  message?: string;
  containerStatuses?: Array<{ state?: { terminated?: Terminated; waiting?: { reason?: string; message?: string } } }>;
}

export const TERMINAL_PHASES: ReadonlySet<string> = new Set(["Succeeded", "Failed", "Cancelled"]);

/** What the builder pod says about the build: the status fields it determines. */
export function progressOf(pod: KubeObject, now: string): ImageBuildStatus {
  const status = (pod.status ?? {}) as BuilderPodStatus;
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  const container = status.containerStatuses?.[0]?.state;
  const terminated = container?.terminated;
  const base: ImageBuildStatus = { podName: pod.metadata.name!, ...(node ? { node } : {}), ...(status.startTime ? { startTime: status.startTime } : {}) };
  switch (status.phase) {
    case "Running":
      return { ...base, phase: "Building", reason: "BuilderRunning", message: `building on ${node}` };
    case "Succeeded": {
      const digest = digestOf(terminated?.message);
      return { ...base, phase: "Succeeded", reason: "Built", message: `built on ${node}`, ...(digest ? { digest } : {}), completionTime: terminated?.finishedAt ?? now };
    }
    case "Failed":
      return {
        ...base,
        phase: "Failed",
        reason: status.reason === "DeadlineExceeded" ? "DeadlineExceeded" : "BuildFailed",
        message: terminated
          ? `the builder exited with code ${terminated.exitCode} (${terminated.reason ?? "Error"})${terminated.message ? `: ${terminated.message.trim().slice(-4000)}` : ""}`
          : (status.message ?? "the builder pod failed"),
        completionTime: terminated?.finishedAt ?? now,
      };
    default: {
      const waiting = container?.waiting;
      if (!node) return { ...base, phase: "Pending", reason: "Scheduling", message: "waiting for the scheduler to place the builder pod" };
      return { ...base, phase: "Pending", reason: waiting?.reason ?? "BuilderStarting", message: waiting?.message ?? `the builder pod is starting on ${node}` };
    }
  }
}

/**
 * The manifest digest of the builder's termination message: buildctl's metadata file on containerd, or on
 * docker the repo digest of the image the builder pushed (`name@sha256:…`; docker knows no manifest digest
 * before a push, and an image ID is not one).
 */
export function digestOf(terminationMessage: string | undefined): string | undefined {
  if (!terminationMessage) return undefined;
  const pushed = /^\S+@(sha256:[a-f0-9]{64})$/m.exec(terminationMessage.trim());
  if (pushed) return pushed[1];
  try {
    const digest = (JSON.parse(terminationMessage) as Record<string, unknown>)["containerimage.digest"];
    return typeof digest === "string" && /^sha256:[a-f0-9]{64}$/.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}
