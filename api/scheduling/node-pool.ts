// Test support: simulated nodes of one test file, told apart from every other file's by a label.
import { addSimulatedNode, waitForNodesReady, type Runtime } from "../../testbed/index.js";
import type { KubeConfig } from "@kubernetes/client-node";

export const POOL_LABEL = "test.orchest.io/pool";

export interface NodePool {
  readonly nodes: readonly string[];
  /** Selects the pool's nodes only: builds, runs and OrchestClusters of the test use it. */
  readonly selector: Record<string, string>;
}

/** Adds one simulated node per runtime, named `<pool>-<i>-<runtime>`, and waits until they are Ready. */
export async function addNodePool(kc: KubeConfig, pool: string, runtimes: readonly Runtime[]): Promise<NodePool> {
  const nodes = runtimes.map((runtime, i) => ({ name: `${pool}-${i}-${runtime}`, runtime, labels: { [POOL_LABEL]: pool } }));
  for (const node of nodes) await addSimulatedNode(kc, node);
  await waitForNodesReady(kc, nodes.map((n) => n.name));
  return { nodes: nodes.map((n) => n.name), selector: { [POOL_LABEL]: pool } };
}
