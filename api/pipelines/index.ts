// Pipeline runs: the PipelineRun controller, the step pods and the step environment contract.
export { addPipelineRunController, PIPELINE_RUN, type PipelineRunControllerOptions, type RunTransitionSink } from "./reconciler.js";
export { runEvent, recordRunEvents } from "./run-event.js";
export { stepPod, RUN_UID_LABEL, STEP_LABEL, DATA_DIR, PROJECT_DIR, PIPELINE_FILE } from "./step-pod.js";
export { stepEnv, type EnvVar, type StepIdentity, type StepRunner } from "./step-env.js";
export { cycleIn } from "./dag.js";
