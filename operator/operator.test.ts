import test from "ava";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import type { OrchestCluster } from "../crds/types/index.js";
import { KubeClient, Manager, silentLogger, type KubeObject } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { clusterFacts } from "./facts.js";
import { Cluster } from "../testbed/index.js";
import { synth, toYaml, type Manifest } from "../synth/index.js";
import { installCrds } from "./install.js";
import { coversIdentity, registryIdentity, tlsOfSecret } from "./registry-tls.js";
import { addOrchestClusterController, ORCHEST_CLUSTER } from "./reconciler.js";

const execFileAsync = promisify(execFile);

// One private cluster for this file (its node runtimes are changed by a test), with the operator in process.
let cluster: Cluster;
let client: KubeClient;
let manager: Manager;
const ns = "orchest";
const name = "cluster-1";
const ref = { ...ORCHEST_CLUSTER, namespace: ns, name };

const spec = (version: string): OrchestCluster["spec"] => ({
  orchest: {
    version,
    orchestApi: { image: "registry.example.com/team/orchest-api:patched" },
    authServer: { image: "docker.io/orchest/auth-server:latest" },
  },
  postgres: { image: "postgres:13.1" },
  rabbitMq: { image: "rabbitmq:3" },
});

test.before(async () => {
  cluster = await Cluster.start({
    nodes: [
      { name: "node-docker", runtime: "docker" },
      { name: "node-containerd-1", runtime: "containerd" },
      { name: "node-containerd-2", runtime: "containerd" },
    ],
    containerd: false,
    registry: false,
  });
  installCrds(cluster.kubeconfig);
  client = new KubeClient(cluster.kubeConfig());
  manager = new Manager({ kubeConfig: cluster.kubeConfig(), name: "orchest-operator", logger: silentLogger });
  addOrchestClusterController(manager, { waitingRecheckMs: 2_000 });
  await manager.start();
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
});

test.after.always(async () => {
  await manager?.stop();
  await cluster?.stop();
});

const getCluster = async () => (await client.get(ref)) as OrchestCluster | undefined;
const condition = (c: OrchestCluster | undefined, type: string) => c?.status?.conditions?.find((x) => x.type === type);
const readyAt = async (generation?: number) =>
  waitFor("the OrchestCluster to be Ready", async () => {
    const c = await getCluster();
    return condition(c, "Ready")?.status === "True" && (generation === undefined || c?.status?.observedGeneration === generation);
  }, 120_000, 200);

async function workloads(): Promise<KubeObject[]> {
  const kinds = [{ apiVersion: "apps/v1", kind: "Deployment" }, { apiVersion: "apps/v1", kind: "StatefulSet" }, { apiVersion: "apps/v1", kind: "DaemonSet" }];
  return (await Promise.all(kinds.map(async (gvk) => (await client.list(gvk, { namespace: ns })).items))).flat();
}
const imageOf = (w: KubeObject) => (w.spec as any).template.spec.containers[0].image as string;
const byName = (ws: KubeObject[]) => Object.fromEntries(ws.map((w) => [w.metadata.name, w]));

test.serial("a new OrchestCluster reaches Ready with every component running the right image", async (t) => {
  await client.create({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name, namespace: ns }, spec: spec("v2022.10.5") } as KubeObject);
  // Not spawnSync: the operator runs in this process and must keep reconciling while kubectl waits.
  const wait = await execFileAsync("kubectl", ["--kubeconfig", cluster.kubeconfig, "wait", "--for=condition=Ready", `orchestcluster/${name}`, "-n", ns, "--timeout=120s"]);
  t.regex(wait.stdout, /condition met/, "kubectl wait --for=condition=Ready works");
  await readyAt();
  const c = (await getCluster())!;
  t.is(c.status?.phase, "Running");
  t.is(c.status?.version, "v2022.10.5");
  t.deepEqual(c.status?.runtimes, [{ runtime: "containerd", nodes: 2 }, { runtime: "docker", nodes: 1 }]);
  t.true(c.status!.components!.every((component) => component.ready));
  t.deepEqual(c.spec, spec("v2022.10.5"), "no default was written into .spec");
  const w = byName(await workloads());
  t.is(imageOf(w["orchest-webserver"]!), "docker.io/orchest/orchest-webserver:v2022.10.5");
  t.is(imageOf(w["orchest-api"]!), "registry.example.com/team/orchest-api:patched");
  t.is(imageOf(w["orchest-database"]!), "postgres:13.1");
  t.truthy(w["buildkit-daemon"] ?? w["buildkit-daemon-containerd"], "buildkit runs for the containerd nodes");
  const secret = await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: "registry-tls-secret" });
  const registryService = await client.get({ apiVersion: "v1", kind: "Service", namespace: ns, name: "docker-registry" });
  const tls = tlsOfSecret(secret as { data?: Record<string, string> });
  t.truthy(tls, "the operator filled the registry's TLS Secret");
  t.true(coversIdentity(tls!, registryIdentity("docker-registry", ns, (registryService!.spec as { clusterIP: string }).clusterIP)), "for the Service's names and ClusterIP");
  const events = (await client.list({ apiVersion: "events.k8s.io/v1", kind: "Event" }, { namespace: ns })).items as Array<KubeObject & { reason?: string; regarding?: { name?: string } }>;
  t.true(events.some((e) => e.regarding?.name === name && e.reason === "Applied"), "kubectl describe shows what the operator did");
});

test.serial("a reconcile of a converged cluster writes nothing", async (t) => {
  const metrics = () => cluster.apiserver.metricsText();
  const writes = (text: string) =>
    text
      .split("\n")
      .filter((l) => l.startsWith("apiserver_request_total{") && /verb="(POST|PUT|PATCH|DELETE)"/.test(l) && !/resource="(leases|nodes|pods)"/.test(l))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  const start = writes(await metrics());
  // Touch the cluster's annotations (no spec change): it is reconciled again, and must change nothing.
  await client.patch(ref, { metadata: { annotations: { "example.com/touched": "1" } } }, "merge");
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const end = writes(await metrics());
  t.is(end - start, 1, "only the test's own annotation patch was written");
});

test.serial("kubectl diff of the synthesized manifests against the cluster shows nothing", async (t) => {
  const c = (await getCluster())!;
  const nodes = (await client.list({ apiVersion: "v1", kind: "Node" })).items;
  // The facts the operator synthesizes with: the nodes, and the registry's TLS Secret and ClusterIP.
  const secret = await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: "registry-tls-secret" });
  const registryService = await client.get({ apiVersion: "v1", kind: "Service", namespace: ns, name: "docker-registry" });
  const registry = { tls: tlsOfSecret(secret as { data?: Record<string, string> })!, clusterIP: (registryService!.spec as { clusterIP: string }).clusterIP };
  const manifests: Manifest[] = synth(c, { ...clusterFacts(nodes).facts, registry });
  const diff = spawnSync("kubectl", ["--kubeconfig", cluster.kubeconfig, "diff", "--server-side", "--force-conflicts", "-f", "-"], { input: toYaml(manifests), encoding: "utf8" });
  t.is(diff.status, 0, diff.stdout + diff.stderr);
});

test.serial("an update moves non-custom images to the new version, keeps custom ones, and never takes a component to zero", async (t) => {
  const before = byName(await workloads());
  let lowest = Infinity;
  let watching = true;
  const sampler = (async () => {
    while (watching) {
      for (const w of await workloads()) {
        if (w.kind !== "Deployment" || (w.spec as any).replicas === 0) continue;
        lowest = Math.min(lowest, Number((w.status as any)?.availableReplicas ?? 0));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await client.patch(ref, { spec: { orchest: { version: "v2022.11.1" } } }, "merge");
  const generation = (await getCluster())!.metadata!.generation;
  await readyAt(generation);
  watching = false;
  await sampler;
  const after = byName(await workloads());
  t.is(imageOf(after["orchest-webserver"]!), "docker.io/orchest/orchest-webserver:v2022.11.1");
  t.is(imageOf(after["celery-worker"]!), "docker.io/orchest/celery-worker:v2022.11.1");
  t.is(imageOf(after["orchest-api"]!), imageOf(before["orchest-api"]!), "custom image (other registry) kept");
  t.is(imageOf(after["auth-server"]!), "docker.io/orchest/auth-server:latest", "custom image (non-CalVer tag) kept");
  t.is(imageOf(after["orchest-database"]!), "postgres:13.1", "custom image (other repository) kept");
  t.is((await getCluster())!.status?.version, "v2022.11.1");
  t.true(lowest >= 1, `some Deployment had ${lowest} available replicas during the update`);
});

test.serial("switching every node to docker prunes the buildkit DaemonSet and nothing else", async (t) => {
  const before = (await workloads()).map((w) => `${w.kind}/${w.metadata.name}`);
  for (const node of ["node-containerd-1", "node-containerd-2"]) {
    await client.patch({ apiVersion: "v1", kind: "Node", name: node }, { status: { nodeInfo: { containerRuntimeVersion: "docker://28.2.2" } } }, "merge", "status");
  }
  await waitFor("the buildkit DaemonSet to be pruned", async () => !(await workloads()).some((w) => w.metadata.name!.startsWith("buildkit-daemon")), 60_000, 200);
  await readyAt();
  const after = (await workloads()).map((w) => `${w.kind}/${w.metadata.name}`);
  const removed = before.filter((w) => !after.includes(w));
  t.true(removed.every((w) => w.includes("buildkit-daemon") || w.includes("node-agent")), `removed: ${removed.join(", ")}`);
  t.true(removed.some((w) => w.includes("buildkit-daemon")));
  t.true(after.some((w) => w.includes("node-agent")), "a node-agent still runs");
  t.deepEqual((await getCluster())!.status?.runtimes, [{ runtime: "docker", nodes: 3 }]);
});

test.serial("pause scales everything to zero in reverse order, resume brings it back in order", async (t) => {
  const zeroAt = new Map<string, number>();
  let watching = true;
  const sampler = (async () => {
    while (watching) {
      for (const w of await workloads()) {
        const s = (w.status ?? {}) as Record<string, number>;
        const pods = w.kind === "DaemonSet" ? (s.currentNumberScheduled ?? 0) : (s.replicas ?? 0);
        const component = w.metadata.labels?.["orchest.io/component"] ?? w.metadata.name!;
        if (pods === 0 && !zeroAt.has(component)) zeroAt.set(component, Date.now());
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  await client.patch(ref, { spec: { orchest: { pause: true } } }, "merge");
  await waitFor("phase Paused", async () => (await getCluster())?.status?.phase === "Paused", 60_000, 200);
  watching = false;
  await sampler;
  const c = (await getCluster())!;
  t.is(condition(c, "Ready")?.reason, "Paused");
  for (const w of await workloads()) {
    const s = (w.status ?? {}) as Record<string, number>;
    t.is(w.kind === "DaemonSet" ? (s.currentNumberScheduled ?? 0) : (s.replicas ?? 0), 0, `${w.kind}/${w.metadata.name} has no pods`);
  }
  t.true(zeroAt.get("node-agent")! <= zeroAt.get("orchest-webserver")!, "node-agent stops before the webserver");
  t.true(zeroAt.get("orchest-webserver")! <= zeroAt.get("orchest-api")!, "the webserver stops before the API");
  t.true(zeroAt.get("orchest-api")! <= zeroAt.get("orchest-database")!, "the API stops before the database");

  await client.patch(ref, { spec: { orchest: { pause: false } } }, "merge");
  await readyAt((await getCluster())!.metadata!.generation);
  t.is((await getCluster())!.status?.phase, "Running");
});

test.serial("the restart annotation rolls every component and the cluster is Ready again", async (t) => {
  const before = byName(await workloads());
  await client.patch(ref, { metadata: { annotations: { "orchest.io/restart": "2026-11-23T19:00:00Z" } } }, "merge");
  await waitFor("the API to roll", async () => byName(await workloads())["orchest-api"]!.metadata.generation !== before["orchest-api"]!.metadata.generation, 30_000, 200);
  await readyAt();
  const after = byName(await workloads());
  for (const [workload, w] of Object.entries(after) as Array<[string, KubeObject]>) {
    t.not(w.metadata.generation, before[workload]?.metadata.generation, `${workload} was rolled`);
  }
});

test.serial("a spec the schema accepts but the apiserver refuses to apply is reported as Degraded with the reason, then recovers", async (t) => {
  await client.patch(ref, { spec: { controlNodeSelector: { "example.com/pool": "not a valid label value!" } } }, "merge");
  await waitFor("Degraded", async () => condition(await getCluster(), "Degraded")?.status === "True", 30_000, 200);
  const c = (await getCluster())!;
  t.is(condition(c, "Degraded")?.reason, "ApplyFailed");
  t.regex(condition(c, "Degraded")!.message, /nodeSelector/);
  t.is(c.status?.phase, "Degraded");
  await client.patch(ref, [{ op: "remove", path: "/spec/controlNodeSelector" }], "json");
  await readyAt((await getCluster())!.metadata!.generation);
  t.is(condition(await getCluster(), "Degraded")?.status, "False");
});

test.serial("deleting the OrchestCluster removes everything it created and nothing else", async (t) => {
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "orchest-api-notes", namespace: ns }, data: { keep: "me" } });
  const inventory = (await getCluster())!.status!.inventory!.entries!;
  t.true(inventory.length > 20);
  await client.delete(ref);
  await waitFor("the OrchestCluster to be gone", async () => (await getCluster()) === undefined, 60_000, 200);
  for (const entry of inventory) {
    const live = await client.get({ apiVersion: entry.apiVersion, kind: entry.kind, name: entry.name, ...(entry.namespace ? { namespace: entry.namespace } : {}) });
    t.true(live === undefined || live.metadata.deletionTimestamp !== undefined, `${entry.kind}/${entry.name} is gone or going`);
  }
  t.truthy(await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "orchest-api-notes" }), "an unrelated object survives");
  t.truthy(await client.get({ apiVersion: "v1", kind: "ServiceAccount", namespace: ns, name: "default" }));
});

test("invalid input is rejected by the apiserver with a message that names the field", async (t) => {
  const bad = { apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "bad", namespace: "default" }, spec: { orchest: { version: "2022.10" } } };
  const out = spawnSync("kubectl", ["--kubeconfig", cluster.kubeconfig, "apply", "-f", "-"], { input: JSON.stringify(bad), encoding: "utf8" });
  t.not(out.status, 0);
  t.regex(out.stderr, /spec\.orchest\.version/);
});
