import { CoreV1Api, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ManagedProcess } from "./process.js";

/** The stages that make simulated nodes and pods behave (testbed/kwok-stages.yaml in the source tree). */
const stagesFile = fileURLToPath(new URL("../../testbed/kwok-stages.yaml", import.meta.url));

/** Annotation by which kwok recognises the nodes it simulates. */
export const simulatedNodeAnnotation = "kwok.x-k8s.io/node";

export type Runtime = "containerd" | "docker";

export interface SimulatedNode {
  readonly name: string;
  readonly runtime: Runtime;
  /** The version part of status.nodeInfo.containerRuntimeVersion; a runtime-specific default when unset. */
  readonly runtimeVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** What the node offers the scheduler (capacity and allocatable alike); the rest of the defaults stays. */
  readonly capacity?: Partial<Readonly<Record<"cpu" | "memory" | "pods", string>>>;
}

/** A kubelet's default pod limit, on a machine of a common size. */
const DEFAULT_CAPACITY = { cpu: "16", memory: "64Gi", pods: "110" };

/** kwok's kubelet server (pods/log and friends): HTTPS on loopback; the apiserver does not verify kubelets. */
export interface KwokServer {
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
}

export function startKwok(binary: string, dir: string, kubeconfig: string, server: KwokServer): ManagedProcess {
  return new ManagedProcess("kwok", binary, [
    `--kubeconfig=${kubeconfig}`,
    `--config=${stagesFile}`,
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${simulatedNodeAnnotation}=fake`,
    // Node and pod addresses stay on loopback or in ranges nothing routes to: no test traffic leaves the machine.
    "--node-ip=127.0.0.1",
    "--cidr=10.244.0.1/16",
    "--node-lease-duration-seconds=40",
    // Nodes advertise this port as their kubelet's (daemonEndpoints), so pods/log reaches kwok's server.
    `--server-address=127.0.0.1:${server.port}`,
    `--node-port=${server.port}`,
    `--tls-cert-file=${server.certFile}`,
    `--tls-private-key-file=${server.keyFile}`,
    // Pod logs come from files named by Logs objects (testbed/pod-logs.ts).
    "--enable-crds=Logs",
  ], join(dir, "kwok.log"));
}

export function containerRuntimeVersion(node: SimulatedNode): string {
  return `${node.runtime}://${node.runtimeVersion ?? (node.runtime === "docker" ? "28.2.2" : "1.6.20")}`;
}

/** Registers a node that kwok then keeps Ready; its container runtime is what status.nodeInfo says. */
export async function addSimulatedNode(kc: KubeConfig, node: SimulatedNode): Promise<V1Node> {
  const body: V1Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: node.name,
      annotations: { [simulatedNodeAnnotation]: "fake" },
      labels: {
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "testbed.orchest.io/simulated": "true",
        // The other side of the real nodes' label, so a selector can ask for either kind.
        "testbed.orchest.io/real": "false",
        ...node.labels,
      },
    },
    status: {
      nodeInfo: {
        architecture: "amd64",
        operatingSystem: "linux",
        containerRuntimeVersion: containerRuntimeVersion(node),
        kubeletVersion: "v1.35.4",
        kubeProxyVersion: "v1.35.4",
        kernelVersion: "6.1.0",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        bootID: "",
        machineID: "",
        systemUUID: "",
      },
      allocatable: { ...DEFAULT_CAPACITY, ...node.capacity },
      capacity: { ...DEFAULT_CAPACITY, ...node.capacity },
    },
  };
  return kc.makeApiClient(CoreV1Api).createNode({ body });
}

/** Waits until every named node reports Ready. */
export async function waitForNodesReady(kc: KubeConfig, names: readonly string[], timeoutMs = 60_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let notReady = [...names];
  while (Date.now() < deadline) {
    const nodes = await core.listNode();
    const ready = new Set(
      nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).map((n) => n.metadata!.name!),
    );
    notReady = names.filter((name) => !ready.has(name));
    if (notReady.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`simulated nodes not Ready after ${timeoutMs / 1000}s: ${notReady.join(", ")} (see kwok.log in the test bed folder)`);
}
