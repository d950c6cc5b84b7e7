import type { PipelineStep } from "../../crds/types/index.js";

/** Why the steps do not form a DAG (a cycle, named), or undefined when they do. Unknown parents are refused by the CRD. */
export function cycleIn(steps: readonly PipelineStep[]): string | undefined {
  const parents = new Map(steps.map((s) => [s.uuid, s.dependsOn ?? []]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (uuid: string, path: string[]): string[] | undefined => {
    if (state.get(uuid) === "done") return undefined;
    if (state.get(uuid) === "visiting") return [...path.slice(path.indexOf(uuid)), uuid];
    state.set(uuid, "visiting");
    for (const parent of parents.get(uuid) ?? []) {
      const cycle = visit(parent, [...path, uuid]);
      if (cycle) return cycle;
    }
    state.set(uuid, "done");
    return undefined;
  };
  for (const step of steps) {
    const cycle = visit(step.uuid, []);
    if (cycle) return `the steps depend on each other in a cycle: ${cycle.reverse().join(" -> ")}`;
  }
  return undefined;
}
