import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { appendFileSync, writeFileSync } from "node:fs";
import { sleep } from "./process.js";

// kwok's kubelet server answers pods/log from a file named by a kwok `Logs` object of the pod's name and
// namespace (kwok watches them with --enable-crds=Logs), so each test points its own pod at its own file.
const group = "kwok.x-k8s.io";
const version = "v1alpha1";

/** The `Logs` kind as kwok reads it (spec.logs[]: containers, logsFile, follow); the schema is left open. */
const logsCrd: V1CustomResourceDefinition = {
  metadata: { name: `logs.${group}` },
  spec: {
    group,
    scope: "Namespaced",
    names: { plural: "logs", singular: "logs", kind: "Logs", listKind: "LogsList" },
    versions: [{ name: version, served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } } }],
  },
};

/** Installs the Logs CRD and waits until it is served, so that kwok's watch of it starts at once. */
export async function installKwokLogsCrd(kc: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await api.createCustomResourceDefinition({ body: logsCrd });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const crd = await api.readCustomResourceDefinition({ name: logsCrd.metadata!.name! });
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(100);
  }
  throw new Error(`the kwok Logs CRD was not Established within ${timeoutMs / 1000}s`);
}

/** A simulated pod's log: what is written here is what `kubectl logs -f` (pods/log) streams. */
export interface SimulatedPodLog {
  readonly file: string;
  /** Appends one line as the container's stdout. */
  write(line: string): void;
}

/**
 * Serves every container log of the Running pod namespace/pod from `file` (created empty), and resolves once
 * the apiserver answers pods/log for it. Lines are kept in the CRI log format the kubelet reads.
 */
export async function simulatePodLog(kc: KubeConfig, namespace: string, pod: string, file: string, timeoutMs = 30_000): Promise<SimulatedPodLog> {
  writeFileSync(file, "", { flag: "a" });
  const body = { apiVersion: `${group}/${version}`, kind: "Logs", metadata: { name: pod, namespace }, spec: { logs: [{ logsFile: file, follow: true }] } };
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group, version, namespace, plural: "logs", body });
  const log: SimulatedPodLog = { file, write: (line) => appendFileSync(file, `${new Date().toISOString()} stdout F ${line}\n`) };
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problem = await core.readNamespacedPodLog({ name: pod, namespace }).then(() => undefined, (err: Error) => err.message);
    if (problem === undefined) return log;
    if (Date.now() > deadline) throw new Error(`kwok does not serve the log of pod ${namespace}/${pod} after ${timeoutMs / 1000}s: ${problem}`);
    await sleep(100);
  }
}
