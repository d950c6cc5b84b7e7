// Test support on the test bed: step nodes that hold the step image, and playing the kubelet for step pods.
import type { KubeConfig } from "@kubernetes/client-node";
import type { PipelineRun } from "../../crds/types/index.js";
import type { KubeClient, KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { addNodePool, type NodePool } from "../scheduling/node-pool.js";
import { PIPELINE_RUN } from "./reconciler.js";
import { RUN_UID_LABEL, STEP_LABEL } from "./step-pod.js";

/** Two worker nodes for `namespace`'s OrchestCluster; `image` is on the second one only. */
export async function stepNodes(kubeConfig: KubeConfig, client: KubeClient, namespace: string, image: string): Promise<NodePool> {
  const pool = await addNodePool(kubeConfig, namespace, ["containerd", "containerd"]);
  await client.create({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "orchest", namespace }, spec: { workerNodeSelector: pool.selector } });
  const il = { apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" };
  await client.create({ ...il, metadata: { name: "env", namespace }, spec: { image, node: pool.nodes[1] } });
  await client.patch({ ...il, namespace, name: "env" }, { status: { phase: "Present", source: "pulled" } }, "merge", "status");
  return pool;
}

export const getRun = async (client: KubeClient, namespace: string, name: string) => (await client.get({ ...PIPELINE_RUN, namespace, name })) as unknown as PipelineRun;

export const stepPods = async (client: KubeClient, run: PipelineRun) =>
  (await client.list({ apiVersion: "v1", kind: "Pod" }, { namespace: run.metadata!.namespace!, labelSelector: `${RUN_UID_LABEL}=${run.metadata!.uid}` })).items;

/** Asks the test bed to complete a running pod with `exitCode`. */
const complete = (client: KubeClient, pod: KubeObject, exitCode: number) =>
  client.patch({ apiVersion: "v1", kind: "Pod", namespace: pod.metadata.namespace!, name: pod.metadata.name! }, { metadata: { labels: { "testbed.orchest.io/completes": "true" }, annotations: { "testbed.orchest.io/exit-code": String(exitCode) } } }, "merge");

/**
 * Plays the kubelet until the run finishes: completes each step pod once it runs (with exit code 1 for the
 * `failing` steps), noting the order of starts.
 */
export async function drive(client: KubeClient, namespace: string, name: string, failing: ReadonlySet<string> = new Set()): Promise<{ started: string[]; pods: KubeObject[] }> {
  const run = await getRun(client, namespace, name);
  const started: string[] = [];
  const completed = new Set<string>();
  let pods: KubeObject[] = [];
  await waitFor(`run ${name} to finish`, async () => {
    pods = await stepPods(client, run);
    for (const pod of pods) {
      const uuid = pod.metadata.labels![STEP_LABEL]!;
      if (!started.includes(uuid)) started.push(uuid);
      if (!completed.has(uuid) && (pod.status as { phase?: string } | undefined)?.phase === "Running") {
        completed.add(uuid);
        await complete(client, pod, failing.has(uuid) ? 1 : 0);
      }
    }
    return ["Succeeded", "Failed", "Cancelled"].includes((await getRun(client, namespace, name)).status?.phase ?? "");
  }, 60_000, 200);
  return { started, pods };
}
