/**
 * operatorManifests(): the operator's own objects as plain JSON, in apply
 * order (the construct's order: namespace and identity before the workload).
 */
import { App, Chart } from "cdk8s";
import type { Manifest } from "../index.js";
import { tidy } from "../tidy.js";
import { OrchestOperator, type OrchestOperatorProps } from "./operator.js";

export * from "./operator.js";
export * from "./rules.js";

/** Every object of the operator, without the zero values the API server would drop. */
export function operatorManifests(props: OrchestOperatorProps = {}): Manifest[] {
  const app = new App({ outdir: "/dev/null" });
  const chart = new Chart(app, "orchest-operator", { disableResourceNameHashes: true });
  new OrchestOperator(chart, "operator", props);
  return chart.toJson().map((o: Manifest) => tidy(o));
}
