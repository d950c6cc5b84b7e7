// Test support for pods that really run: on a real node, by name, with what they printed.
import { CoreV1Api, type KubeConfig, type V1Pod, type V1PodSpec } from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { eventually } from "./eventually.js";
import { REAL_NODE_LABEL } from "./real-node.js";
import type { TestbedState } from "./state.js";

/** The toleration of REAL_NODE_TAINT, for pods that go to real nodes through the scheduler (DaemonSets, Deployments). */
export const TOLERATE_REAL_NODES = { key: REAL_NODE_LABEL, operator: "Exists", effect: "NoSchedule" } as const;

/**
 * Namespace annotations that send every pod of the namespace to the real nodes (the apiserver's PodNodeSelector and
 * PodTolerationRestriction admission, as a cluster admin places a team's workloads): for pods a controller makes,
 * which ask for no node themselves.
 */
export const ON_REAL_NODES: Readonly<Record<string, string>> = {
  "scheduler.alpha.kubernetes.io/node-selector": `${REAL_NODE_LABEL}=true`,
  "scheduler.alpha.kubernetes.io/defaultTolerations": JSON.stringify([TOLERATE_REAL_NODES]),
};

/**
 * Whether this test run has real nodes and the project's images in its registry: read synchronously from the
 * state `testbed run` wrote, so that a test file can register its tests as skipped where they cannot run.
 */
export function realNodesHere(): boolean {
  const file = process.env.ORCHEST_TESTBED;
  if (!file) return false;
  const state: TestbedState = JSON.parse(readFileSync(file, "utf8"));
  return state.nodes.some((node) => node.real) && Object.keys(state.images ?? {}).length > 0;
}

/** Creates a pod pinned to `node` (no scheduling: the kubelet of that node runs it) and waits until `phase`. */
export async function runPodOn(kc: KubeConfig, namespace: string, node: string, name: string, spec: Omit<V1PodSpec, "nodeName">, phase: "Running" | "Succeeded" = "Succeeded"): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: { metadata: { name }, spec: { restartPolicy: "Never", ...spec, nodeName: node } } });
  return waitForPod(kc, namespace, name, phase);
}

/** Waits until the pod reaches `phase`; fails at once, with its container states, if it fails instead. */
export async function waitForPod(kc: KubeConfig, namespace: string, name: string, phase: "Running" | "Succeeded", timeoutMs = 180_000): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  let last: V1Pod | undefined;
  const states = () => JSON.stringify(last?.status?.containerStatuses?.map((c) => ({ [c.name]: c.state })) ?? last?.status ?? null);
  const settled = await eventually(
    `pod ${namespace}/${name} to be ${phase}`,
    async () => {
      last = await core.readNamespacedPod({ name, namespace });
      if (last.status?.phase === "Failed") return last;
      if (phase === "Running") return last.status?.phase === "Running" && last.status.containerStatuses?.every((c) => c.ready) ? last : undefined;
      return last.status?.phase === phase ? last : undefined;
    },
    timeoutMs,
    250,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; containers: ${states()}`);
  });
  if (settled.status?.phase !== phase) {
    const logs = await Promise.all(
      (settled.spec?.containers ?? []).map(async (c) => `--- ${c.name} ---\n${(await podLog(kc, namespace, name, c.name).catch((e: Error) => e.message)).split("\n").slice(-20).join("\n")}`),
    );
    throw new Error(`pod ${namespace}/${name} failed; containers: ${states()}\n${logs.join("\n")}`);
  }
  return settled;
}

/** What the pod's container printed, as `kubectl logs` shows it (through the apiserver and the node's kubelet). */
export async function podLog(kc: KubeConfig, namespace: string, name: string, container?: string): Promise<string> {
  return kc.makeApiClient(CoreV1Api).readNamespacedPodLog({ name, namespace, container });
}
