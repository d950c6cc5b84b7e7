import type { ImageLocation } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";
import { BUILT_LABEL, BUILT_VALUE } from "../../agent/location-identity.js";

/**
 * Interactive: someone waits (an interactive run, a Jupyter kernel or server, a session), so the pod goes
 * only where its image already is. Non-interactive (job runs): anywhere, preferably where the image is; but
 * a built image that is not in the registry yet can only run where it is, as Orchest's pod_scheduling had it.
 */
export type Scope = "interactive" | "non-interactive";

/** What placement reads: the cluster's nodes, the ImageLocations, and the OrchestCluster's worker selector. */
export interface PlacementFacts {
  readonly nodes: readonly KubeObject[];
  readonly locations: readonly ImageLocation[];
  readonly workerNodeSelector?: Readonly<Record<string, string>>;
}

type NodeSelectorTerm = { matchFields: Array<{ key: "metadata.name"; operator: "In"; values: [string] }> };

/** The scheduling fields of a pod spec, plus why an interactive pod could not be pinned. */
export interface Placement {
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
      preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; preference: NodeSelectorTerm }>;
    };
  };
  /** Set when an interactive pod goes unconstrained: the message of the Event that says why. */
  readonly unconstrained?: string;
  /** The nodes the pod is pinned to or prefers, for logs and tests. */
  readonly nodes: readonly string[];
}

/** Where a pod of `image` in `scope` may go, as nodeSelector and node affinity. */
export function placementFor(image: string, scope: Scope, facts: PlacementFacts): Placement {
  const selector = facts.workerNodeSelector ?? {};
  const eligible = new Set(facts.nodes.filter((n) => isReady(n) && matchesLabels(n, selector)).map((n) => n.metadata.name!));
  const ofImage = facts.locations.filter((l) => holdsSameImage(l, image));
  const holders = [...new Set(ofImage.filter((l) => l.status?.phase === "Present").map((l) => l.spec.node))].filter((n) => eligible.has(n)).sort();
  const nodeSelector = Object.keys(selector).length > 0 ? { nodeSelector: { ...selector } } : {};

  const built = ofImage.filter((l) => l.metadata?.labels?.[BUILT_LABEL] === BUILT_VALUE);
  // An image of no recorded build comes from elsewhere (a registry nodes can pull from).
  const inRegistry = built.length === 0 || built.some((l) => l.status?.pushedToRegistry);
  if (scope === "non-interactive" && inRegistry) {
    if (holders.length === 0) return { ...nodeSelector, nodes: [] };
    const preferred = holders.map((node) => ({ weight: 100, preference: nodeNameTerm(node) }));
    return { ...nodeSelector, affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } }, nodes: holders };
  }
  if (holders.length > 0) return { ...nodeSelector, ...requiredOn(holders), nodes: holders };
  // Not Present anywhere yet: the node that built it has it (its agent just has not reported yet).
  const builtOn = built.find((l) => !["Failed", "Evicted"].includes(l.status?.phase ?? ""))?.spec.node;
  if (builtOn && eligible.has(builtOn)) return { ...nodeSelector, ...requiredOn([builtOn]), nodes: [builtOn] };
  const held = scope === "interactive" ? `no eligible Ready node holds ${image}` : `${image} is not in the registry yet`;
  const why = builtOn
    ? `${held} and ${builtOn}, where it was built, is not Ready or not a worker node: scheduling anywhere, the image will be pulled`
    : `${held} and no build of it is recorded: scheduling anywhere, the image will be pulled`;
  return { ...nodeSelector, unconstrained: why, nodes: [] };
}

/** A copy of a pod spec with the placement's nodeSelector and affinity merged in. */
export function withPlacement(podSpec: Record<string, unknown>, placement: Placement): Record<string, unknown> {
  const out: Record<string, unknown> = { ...podSpec };
  if (placement.nodeSelector) out.nodeSelector = { ...(podSpec.nodeSelector as object | undefined), ...placement.nodeSelector };
  if (placement.affinity) out.affinity = { ...(podSpec.affinity as object | undefined), ...placement.affinity };
  return out;
}

// A node field selector takes exactly one value per requirement: one (ORed) term per node.
function nodeNameTerm(node: string): NodeSelectorTerm {
  return { matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] };
}

function requiredOn(nodes: readonly string[]): Pick<Placement, "affinity"> {
  return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: nodes.map(nodeNameTerm) } } } };
}

function holdsSameImage(location: ImageLocation, image: string): boolean {
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
  return location.spec.image === image || (digest !== undefined && location.spec.digest === digest);
}

export function isReady(node: KubeObject): boolean {
  const spec = node.spec as { unschedulable?: boolean } | undefined;
  const conditions = (node.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return !spec?.unschedulable && conditions.some((c) => c.type === "Ready" && c.status === "True");
}

export function matchesLabels(node: KubeObject, selector: Readonly<Record<string, string>>): boolean {
  const labels = node.metadata.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
