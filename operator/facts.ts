import type { ClusterFacts, ContainerRuntime, NodeFacts } from "../synth/index.js";
import type { KubeObject } from "../reconcilers/index.js";

/** Node annotation that overrides the path of the node's container runtime socket. */
export const SOCKET_ANNOTATION = "orchest.io/container-runtime-socket";

interface NodeStatus {
  nodeInfo?: { containerRuntimeVersion?: string };
}

/** The runtime a kubelet reports, e.g. "containerd://1.7.2" → containerd; undefined for runtimes Orchest cannot build on. */
export function runtimeOf(node: KubeObject): ContainerRuntime | undefined {
  const version = (node.status as NodeStatus | undefined)?.nodeInfo?.containerRuntimeVersion ?? "";
  const scheme = version.split("://")[0];
  return scheme === "containerd" || scheme === "docker" ? scheme : undefined;
}

/** What synth() needs to know about the nodes: runtime, labels and socket path, in a stable order. */
export function clusterFacts(nodes: readonly KubeObject[]): { facts: ClusterFacts; unsupported: string[] } {
  const known: NodeFacts[] = [];
  const unsupported: string[] = [];
  for (const node of [...nodes].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))) {
    const runtime = runtimeOf(node);
    if (!runtime) {
      unsupported.push(node.metadata.name!);
      continue;
    }
    const socketPath = node.metadata.annotations?.[SOCKET_ANNOTATION];
    known.push({ name: node.metadata.name!, runtime, labels: node.metadata.labels ?? {}, ...(socketPath ? { socketPath } : {}) });
  }
  return { facts: { nodes: known }, unsupported };
}
