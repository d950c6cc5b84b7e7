import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { Cluster, type ClusterOptions } from "./cluster.js";
import { simulatedNodeAnnotation } from "./kwok.js";
import type { TestbedState } from "./state.js";

export { addSimulatedNode, waitForNodesReady, type Runtime, type SimulatedNode } from "./kwok.js";
export { Cluster, REAL_NODE_TAINT, type ClusterOptions, type RealNodeSpec } from "./cluster.js";
export { REAL_NODE_LABEL } from "./real-node.js";
export { simulatePodLog, type SimulatedPodLog } from "./pod-logs.js";
export type { TestbedState } from "./state.js";

/** The cluster a test run shares: the test bed's (simulated nodes, real containerd) or an existing one. */
export interface Testbed {
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  /** True on the embedded test bed; false on an existing cluster (ORCHEST_TEST_KUBECONFIG). */
  readonly simulated: boolean;
  readonly nodes: TestbedState["nodes"];
  readonly registry?: TestbedState["registry"];
  /** The project's images in the test bed's registry, by name; none on an existing cluster. */
  readonly images: NonNullable<TestbedState["images"]>;
  /** Why tests that need the test bed's own containerd and registry are skipped, or undefined when they can run. */
  readonly skipRealRuntime?: string;
  /** The test bed's etcd (its /metrics tell the database size); unknown on an existing cluster. */
  readonly etcd?: TestbedState["etcd"];
}

let shared: Testbed | undefined;

/** The shared cluster of this test run, as set up by `testbed run` (npm test) or named by ORCHEST_TEST_KUBECONFIG. */
export async function useTestbed(): Promise<Testbed> {
  if (shared) return shared;
  const stateFile = process.env.ORCHEST_TESTBED;
  const existing = process.env.ORCHEST_TEST_KUBECONFIG;
  if (stateFile) {
    const state: TestbedState = JSON.parse(readFileSync(stateFile, "utf8"));
    shared = { kubeconfigPath: state.kubeconfig, kubeConfig: load(state.kubeconfig), simulated: true, nodes: state.nodes, registry: state.registry, images: state.images ?? {}, etcd: state.etcd };
  } else if (existing) {
    const kubeConfig = load(existing);
    const nodes = (await kubeConfig.makeApiClient(CoreV1Api).listNode()).items.map((node) => ({
      name: node.metadata!.name!,
      runtime: node.status?.nodeInfo?.containerRuntimeVersion?.startsWith("docker") ? ("docker" as const) : ("containerd" as const),
      real: node.metadata?.annotations?.[simulatedNodeAnnotation] === undefined,
    }));
    shared = {
      kubeconfigPath: existing,
      kubeConfig,
      simulated: false,
      nodes,
      images: {},
      skipRealRuntime: "ORCHEST_TEST_KUBECONFIG points at an existing cluster: the test bed's per-node containerd and registry are not there",
    };
  } else {
    throw new Error(
      "no test bed: run the tests with `npm test` (or `node lib/testbed/cli.js run -- <command>`), " +
        "or set ORCHEST_TEST_KUBECONFIG to the kubeconfig of an existing cluster.",
    );
  }
  return shared;
}

function load(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/**
 * Why tests that need the test bed's own parts (kwok's simulated nodes and pod logs, the per-node containerd,
 * the registry) cannot run in this run, or undefined when they can. Read from the environment before any test
 * is registered, so that a test file registers such tests with `test.skip`: ava reports them as skipped, never
 * as passed. Prints the reason once per test file that asks.
 */
export function withoutTestbed(): string | undefined {
  if (process.env.ORCHEST_TESTBED || !process.env.ORCHEST_TEST_KUBECONFIG) return undefined;
  const reason = "ORCHEST_TEST_KUBECONFIG points at an existing cluster: the test bed's simulated nodes, per-node containerd and registry are not there";
  process.stdout.write(`skipped where they need the test bed: ${reason}\n`);
  return reason;
}

/** A private control plane (etcd + apiserver, no nodes) for tests that break things: restarts, compaction. */
export function startControlPlane(options: Pick<ClusterOptions, "log"> = {}): Promise<Cluster> {
  return Cluster.start({ workloads: false, containerd: false, registry: false, ...options });
}

/** Creates a namespace with a unique name for one test file (with `annotations`, e.g. pods.ts' ON_REAL_NODES). */
export async function createTestNamespace(kc: KubeConfig, prefix: string, annotations?: Readonly<Record<string, string>>): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, labels: { "testbed.orchest.io/test": prefix }, ...(annotations && { annotations: { ...annotations } }) } } });
  return name;
}

/** GET on the apiserver with the kubeconfig's credentials, e.g. "/metrics" for apiserver_request_total. */
export async function apiserverGet(kc: KubeConfig, path: string): Promise<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const url = new URL(path, cluster.server);
  const options: { headers?: Record<string, string>; ca?: string | Buffer } = {};
  await kc.applyToHTTPSOptions(options as never);
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`GET ${path}: ${res.statusCode} ${body.slice(0, 300)}`));
        else resolve(body);
      });
    });
    req.on("error", reject);
    req.end();
  });
}
export { buildOciImage, type OciImage } from "./oci-image.js";
export { eventually } from "./eventually.js";
export { Containerd } from "./containerd.js";
