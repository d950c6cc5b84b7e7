/** A container environment variable with a literal value. */
export interface EnvVar {
  name: string;
  value: string;
}

/** Who runs step code: a pipeline step's pod, or an interactive Jupyter kernel (which also sees the project). */
export type StepRunner = { kind: "step" } | { kind: "jupyter-kernel"; projectDir: string };

export interface StepIdentity {
  readonly project: string;
  readonly pipeline: { readonly uuid: string; readonly path: string };
  readonly step: string;
}

/**
 * The env of step code: the user's variables first, then Orchest's ORCHEST_* variables, so that on a name
 * clash ours win (Kubernetes keeps the last of duplicate names). ORCHEST_PROJECT_DIR only for Jupyter
 * kernels, which show the whole project directory.
 */
export function stepEnv(user: readonly { name: string; value?: string }[], id: StepIdentity, runner: StepRunner = { kind: "step" }): EnvVar[] {
  const internal: EnvVar[] = [
    { name: "ORCHEST_PROJECT_UUID", value: id.project },
    { name: "ORCHEST_PIPELINE_UUID", value: id.pipeline.uuid },
    { name: "ORCHEST_PIPELINE_PATH", value: id.pipeline.path },
    { name: "ORCHEST_STEP_UUID", value: id.step },
  ];
  if (runner.kind === "jupyter-kernel") internal.push({ name: "ORCHEST_PROJECT_DIR", value: runner.projectDir });
  const ours = new Set(internal.map((v) => v.name));
  // Dropping the user's namesakes as well keeps the spec free of duplicates that `kubectl apply` warns about.
  return [...user.filter((v) => !ours.has(v.name)).map((v) => ({ name: v.name, value: v.value ?? "" })), ...internal];
}
