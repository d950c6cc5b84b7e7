import type { ImageBuild } from "../../crds/types/index.js";
import {
  EnvironmentImageBuildEvent,
  JupyterImageBuildEvent,
  transitionEventId,
  type LifecycleTransition,
  type OrchestEvent,
  type Outbox,
  type RunStatus,
} from "../events/index.js";

/** Receives the build with the status that shows the transition; may be called again for the same one. */
export type BuildTransitionSink = (build: ImageBuild, transition: LifecycleTransition) => Promise<void>;

const BUILD_STATUS: Record<LifecycleTransition, RunStatus> = { created: "PENDING", started: "STARTED", succeeded: "SUCCESS", failed: "FAILURE", cancelled: "ABORTED" };

/**
 * The Orchest event of one transition of a build: `jupyter:image-build:*` for a JupyterServer image,
 * `project:environment:image-build:*` for an environment's (none for a build that names no project and
 * environment: there is nobody to tell). Its id is the same whenever it is built again.
 */
export function buildEvent(build: ImageBuild, transition: LifecycleTransition): OrchestEvent | undefined {
  const { spec } = build;
  const common = { id: transitionEventId(build.metadata!.uid!, transition), timestamp: new Date(timeOf(build, transition) ?? Date.now()) };
  const status = BUILD_STATUS[transition];
  if (spec.purpose === "JupyterServer") {
    return new JupyterImageBuildEvent({ ...common, type: `jupyter:image-build:${transition}`, imageBuild: { uuid: build.metadata!.uid!, status } });
  }
  if (!spec.project || !spec.environment) return undefined;
  return new EnvironmentImageBuildEvent({
    ...common,
    type: `project:environment:image-build:${transition}`,
    project: { uuid: spec.project, name: spec.projectName ?? "" },
    environment: { uuid: spec.environment, name: spec.environmentName ?? "" },
    imageBuild: { imageTag: imageTagOf(spec.image), status, baseImage: spec.baseImage ?? "" },
  });
}

/** Records every transition through the outbox; recording one again delivers nothing new. */
export function recordBuildEvents(outbox: Pick<Outbox, "record">): BuildTransitionSink {
  return async (build, transition) => {
    const event = buildEvent(build, transition);
    if (event) await outbox.record(event);
  };
}

/** Orchest numbers an environment's images 1, 2, ...: the tag, when it is such a number; else 0. */
function imageTagOf(image: string): number {
  const tag = /:(\d+)$/.exec(image.replace(/@.*$/, ""))?.[1];
  return tag === undefined ? 0 : Number(tag);
}

/** When the transition happened, as the build recorded it: the same time on every reconcile. */
function timeOf(build: ImageBuild, transition: LifecycleTransition): string | undefined {
  if (transition === "created") return build.metadata?.creationTimestamp;
  if (transition === "started") return build.status?.startTime;
  return build.status?.completionTime;
}
