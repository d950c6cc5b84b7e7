import test from "ava";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { Cluster } from "../testbed/index.js";
import { installCrds } from "./install.js";
import { addOrchestClusterController, ORCHEST_CLUSTER } from "./reconciler.js";
import type { OrchestCluster } from "../crds/types/index.js";

// A reconcile mostly waits on the apiserver (bench/operator-scale: its worker was in reconciles 36 of 38 s while the
// process used 10.5 s of CPU): clusters must not wait for each other's round trips.
test("the rollouts of two clusters are reconciled at the same time, not one after the other", async (t) => {
  const cluster = await Cluster.start({ nodes: [{ name: "node-1", runtime: "containerd" }], containerd: false, registry: false });
  const manager = new Manager({ kubeConfig: cluster.kubeConfig(), name: "orchest-operator", logger: silentLogger });
  let poll: NodeJS.Timeout | undefined;
  try {
    installCrds(cluster.kubeconfig);
    const client = new KubeClient(cluster.kubeConfig());
    const controller = addOrchestClusterController(manager);
    await manager.start();
    let mostInFlight = 0;
    poll = setInterval(() => (mostInFlight = Math.max(mostInFlight, controller.queue.inFlight)), 5);
    const namespaces = ["one", "two"];
    for (const ns of namespaces) await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    await Promise.all(
      namespaces.map((ns) =>
        client.create({ ...ORCHEST_CLUSTER, metadata: { name: "cluster-1", namespace: ns }, spec: { orchest: { version: "v2022.10.5" }, postgres: { image: "postgres:13.1" }, rabbitMq: { image: "rabbitmq:3" } } } as KubeObject),
      ),
    );
    const ready = (c: OrchestCluster | undefined) => (c?.status?.conditions ?? []).some((x) => x.type === "Ready" && x.status === "True");
    await waitFor("both clusters Ready", async () => (await Promise.all(namespaces.map(async (ns) => ready((await client.get({ ...ORCHEST_CLUSTER, namespace: ns, name: "cluster-1" })) as OrchestCluster)))).every(Boolean), 180_000, 200);
    t.is(mostInFlight, 2, "both clusters were being reconciled at one moment");
  } finally {
    clearInterval(poll);
    await manager.stop();
    await cluster.stop();
  }
});
