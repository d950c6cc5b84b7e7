// Image builds: the ImageBuild controller, its builder pods, and the live build log over server-sent events.
export { addImageBuildController, IMAGE_BUILD, type ImageBuildControllerOptions } from "./reconciler.js";
export { buildEvent, recordBuildEvents, type BuildTransitionSink } from "./build-event.js";
export { builderPod, BUILD_UID_LABEL, DEFAULT_BUILDER_IMAGES, type BuilderImages } from "./builder-pod.js";
export { buildTarget, type BuildTarget } from "./build-target.js";
export { progressOf, digestOf } from "./build-progress.js";
export { podLogSource, type LogSource } from "./log-source.js";
export { BuildLog, type LogEvent, type BuildOutcome } from "./build-log.js";
export { BuildLogs, type BuildLogsOptions } from "./build-logs.js";
export { streamBuildLog, sseFrame } from "./log-handler.js";
export { registerBuildLogRoutes } from "./log-routes.js";
export { inRegistry, stepImage } from "./registry-name.js";
