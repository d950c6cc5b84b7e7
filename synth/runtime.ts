/**
 * Targeting of the runtime-specific DaemonSets (node-agent, buildkit-daemon)
 * in clusters whose nodes run different container runtimes.
 */
import type * as kplus from "cdk8s-plus-28";
import { configurePodTemplate } from "./common.js";
import type { DaemonSetPlan, RuntimeGroup, SynthContext } from "./context.js";
import { RUNTIME_NODE_LABEL, type OrchestComponentName } from "./labels.js";

/** Label on the pods of a runtime group (selector of its DaemonSet). */
export const RUNTIME_GROUP_LABEL = "orchest.io/runtime-group";

/**
 * Name of a group's DaemonSet: the component's name when the component has a
 * single group (Orchest's names: `node-agent`, `buildkit-daemon`), else the
 * name suffixed by the group (`node-agent-containerd`, `node-agent-docker`).
 */
export function groupObjectName(base: string, group: RuntimeGroup, groupCount: number): string {
  return groupCount === 1 ? base : `${base}-${group.suffix}`;
}

/**
 * Required node affinity of a group's pods, or undefined when every node runs
 * the same runtime (then the DaemonSet covers new nodes without a re-synth).
 * A node matches when it is one of the group's nodes (by `metadata.name`, one term per node) or,
 * if the runtime has a single group, when it carries the label
 * `orchest.io/container-runtime=<runtime>`.
 */
export function runtimeAffinity(ctx: SynthContext, group: RuntimeGroup, candidates: readonly RuntimeGroup[]): Record<string, unknown> | undefined {
  if (ctx.runtimes.uniform) return undefined;
  const terms: Record<string, unknown>[] = [];
  if (candidates.filter((g) => g.runtime === group.runtime).length === 1) {
    terms.push({ matchExpressions: [{ key: RUNTIME_NODE_LABEL, operator: "In", values: [group.runtime] }] });
  }
  // A node field selector takes one value per requirement: one (ORed) term per node.
  for (const node of group.nodes) {
    terms.push({ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] });
  }
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

/** Labels of a group's pods, included in its DaemonSet's selector. */
export function groupLabels(group: RuntimeGroup): Record<string, string> {
  return { [RUNTIME_NODE_LABEL]: group.runtime, [RUNTIME_GROUP_LABEL]: group.suffix };
}

/**
 * Pod template of one runtime group's DaemonSet: its pods carry the group's labels and run only on the group's
 * nodes (by affinity, in mixed clusters), and on none while the cluster is paused.
 */
export function confineToRuntimeGroup(
  ctx: SynthContext,
  ds: kplus.DaemonSet,
  component: OrchestComponentName,
  plan: DaemonSetPlan,
  groups: readonly RuntimeGroup[],
): void {
  const affinity = runtimeAffinity(ctx, plan.group, groups);
  configurePodTemplate(ctx, ds, {
    component,
    selectorExtra: groupLabels(plan.group),
    nodeSelector: plan.nodeSelector,
    ...(affinity ? { affinity } : {}),
  });
}
