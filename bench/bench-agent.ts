// One node-agent in the bench's own process, on a node's containerd: how the image-spreading benches run agents.
import type { KubeConfig } from "@kubernetes/client-node";
import { startAgent, type AgentOptions, type RunningAgent } from "../agent/agent.js";
import { RegistryClient } from "../agent/registry/client.js";
import { ContainerdDriver } from "../agent/runtime/containerd-driver.js";
import { ContainerdStore } from "../agent/runtime/containerd-store.js";
import { silentLogger } from "../reconcilers/index.js";

export interface BenchNode {
  readonly name: string;
  /** Its containerd's socket, as the host reaches it. */
  readonly socket: string;
  /** Its containerd's registry hosts folder, as the host reaches it. */
  readonly hostsDir: string;
}

export interface BenchAgent {
  readonly agent: RunningAgent;
  /** The node's content store, which the agent's peer server reads; closed by stop(). */
  readonly store: ContainerdStore;
  stop(): Promise<void>;
}

/**
 * An agent for `node` in `namespace`, the registry at `registryHost` over plain HTTP, two pulls at a time; peers as
 * `peers` makes them from the node's store (none: registry only); the node's hosts folder written when `hostsDir`.
 */
export async function startBenchAgent(
  kubeConfig: KubeConfig,
  node: BenchNode,
  options: { namespace: string; registryHost: string; hostsDir: boolean; peers?: (store: ContainerdStore) => AgentOptions["peers"] },
): Promise<BenchAgent> {
  const registry = new RegistryClient({ plainHttp: () => true });
  const store = new ContainerdStore(node.socket);
  const peers = options.peers?.(store);
  const agent = await startAgent({
    kubeConfig,
    node: node.name,
    namespace: options.namespace,
    driver: new ContainerdDriver({ socket: node.socket, registry }),
    registry,
    registryHost: options.registryHost,
    registryPlainHttp: true,
    ...(options.hostsDir && { hostsDir: node.hostsDir }),
    ...(peers && { peers }),
    maxPulls: 2,
    logger: silentLogger,
  });
  return {
    agent,
    store,
    async stop() {
      await agent.stop();
      store.close();
    },
  };
}
