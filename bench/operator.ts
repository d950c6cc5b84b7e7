/**
 * Benchmark of the OrchestCluster operator on a private test-bed cluster: time from applying the CR to Ready,
 * and API writes made by one no-op reconcile, next to `kubectl apply --server-side` of the same manifests
 * (the baseline GitOps tools pay on every sync). Also the CLI's synth as a process next to synth in process.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { OrchestCluster } from "../crds/types/index.js";
import { clusterFacts } from "../operator/facts.js";
import { installCrds } from "../operator/install.js";
import { addOrchestClusterController, ORCHEST_CLUSTER } from "../operator/reconciler.js";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../reconcilers/index.js";
import { synth, toYaml } from "../synth/index.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { Cluster } from "../testbed/index.js";
import { quietLog } from "../testbed/progress.js";
import { measure } from "./synth.js";

const cliMain = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const example = fileURLToPath(new URL("../../examples/orchestcluster.yaml", import.meta.url));

/** Writes (POST, PUT, PATCH, DELETE) the apiserver counted, except the simulated kubelets' own traffic. */
function writes(metrics: string): number {
  return metrics
    .split("\n")
    .filter((l) => l.startsWith("apiserver_request_total{") && /verb="(POST|PUT|PATCH|DELETE|APPLY)"/.test(l) && !/resource="(leases|nodes|pods)"/.test(l))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

async function waitReady(client: KubeClient, ref: { apiVersion: string; kind: string; namespace: string; name: string }, generation?: number): Promise<void> {
  for (;;) {
    const c = (await client.get(ref)) as OrchestCluster | undefined;
    const ready = c?.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True");
    if (ready && (generation === undefined || c?.status?.observedGeneration === generation)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function run(): Promise<void> {
  const inProcess = measure(20, 3);
  const cliRuns = 5;
  const cliStart = performance.now();
  for (let i = 0; i < cliRuns; i++) execFileSync(process.execPath, [cliMain, "synth", "-f", example], { stdio: ["ignore", "ignore", "inherit"] });
  const cliMs = (performance.now() - cliStart) / cliRuns;
  process.stdout.write(`synth: in process median ${inProcess.medianMs.toFixed(1)} ms | as a CLI process (orchest synth) ${cliMs.toFixed(0)} ms | ratio ${(cliMs / inProcess.medianMs).toFixed(0)}x (node start-up and module loading dominate)\n`);

  const cluster = await Cluster.start({
    nodes: [
      { name: "node-docker", runtime: "docker" },
      { name: "node-containerd-1", runtime: "containerd" },
      { name: "node-containerd-2", runtime: "containerd" },
    ],
    containerd: false,
    registry: false,
  });
  const manager = new Manager({ kubeConfig: cluster.kubeConfig(), name: "orchest-operator", logger: silentLogger });
  const kubectl = (await ensureBinaries(quietLog)).kubectl!;
  try {
    installCrds(cluster.kubeconfig, kubectl);
    const client = new KubeClient(cluster.kubeConfig());
    addOrchestClusterController(manager, { waitingRecheckMs: 2_000 });
    await manager.start();
    const readyTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ns = `bench-${i}`;
      await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
      const ref = { ...ORCHEST_CLUSTER, namespace: ns, name: "cluster-1" };
      const started = performance.now();
      await client.create({ ...ORCHEST_CLUSTER, metadata: { name: "cluster-1", namespace: ns }, spec: { orchest: { version: "v2022.10.5" }, postgres: { image: "postgres:13.1" }, rabbitMq: { image: "rabbitmq:3" } } } as KubeObject);
      await waitReady(client, ref);
      readyTimes.push(performance.now() - started);
    }
    readyTimes.sort((a, b) => a - b);
    process.stdout.write(`operator: CR applied → Ready (3 clusters, 3 simulated nodes): median ${(readyTimes[1]! / 1000).toFixed(2)} s, min ${(readyTimes[0]! / 1000).toFixed(2)} s, max ${(readyTimes[2]! / 1000).toFixed(2)} s\n`);

    // One no-op reconcile: touch an annotation (the only write), let the operator reconcile, count writes.
    const ref = { ...ORCHEST_CLUSTER, namespace: "bench-0", name: "cluster-1" };
    const before = writes(await cluster.apiserver.metricsText());
    await client.patch(ref, { metadata: { annotations: { "bench.orchest.io/touch": String(Date.now()) } } }, "merge");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const operatorWrites = writes(await cluster.apiserver.metricsText()) - before - 1;

    const live = (await client.get(ref)) as OrchestCluster;
    const manifests = synth(live, clusterFacts((await client.list({ apiVersion: "v1", kind: "Node" })).items).facts);
    const beforeSsa = writes(await cluster.apiserver.metricsText());
    const applied = spawnSync(kubectl, ["--kubeconfig", cluster.kubeconfig, "apply", "--server-side", "--force-conflicts", "--field-manager=bench", "-f", "-"], { input: toYaml(manifests), encoding: "utf8" });
    if (applied.status !== 0) throw new Error(`kubectl apply --server-side failed: ${applied.stderr}`);
    const ssaWrites = writes(await cluster.apiserver.metricsText()) - beforeSsa;
    process.stdout.write(`operator: API writes of one no-op reconcile: ${operatorWrites} | kubectl apply --server-side of the same ${manifests.length} manifests: ${ssaWrites} (target: zero)\n`);
  } finally {
    await manager.stop();
    await cluster.stop();
  }
}
