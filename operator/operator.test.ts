import test from "ava";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import type { OrchestCluster } from "../crds/types/index.js";
import { Informer, KubeClient, Manager, silentLogger, type Controller, type KubeObject } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { clusterFacts, ingressClassOf } from "./facts.js";
import { Cluster } from "../testbed/index.js";
import { ANNOTATIONS, synth, toYaml, type Manifest } from "../synth/index.js";
import { registryTlsDigest } from "../synth/common.js";
import { installCrds } from "./install.js";
import { coversIdentity, registryIdentity, tlsOfSecret } from "./registry-tls.js";
import { addOrchestClusterController, ORCHEST_CLUSTER } from "./reconciler.js";
import { CLUSTER_STATUS, OrchestCli } from "./testing/orchest-cli.js";

const execFileAsync = promisify(execFile);

// One private cluster for this file (its node runtimes are changed by a test), with the operator in process.
let cluster: Cluster;
let client: KubeClient;
let manager: Manager;
let controller: Controller;
let cli: OrchestCli;
const ns = "orchest";
const name = "cluster-1";
const ref = { ...ORCHEST_CLUSTER, namespace: ns, name };
/** Every status.state and status.phase the cluster went through, from a watch (nothing is missed). */
const seen: { state?: string; phase?: string }[] = [];
let watcher: Informer;

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
  controller = addOrchestClusterController(manager, { waitingRecheckMs: 2_000 });
  await manager.start();
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  cli = new OrchestCli(client, ns, name);
  watcher = new Informer(client, ORCHEST_CLUSTER, { namespace: ns });
  const record = (obj: KubeObject) => {
    const status = (obj as OrchestCluster).status;
    const last = seen[seen.length - 1];
    if (last?.state !== status?.state || last?.phase !== status?.phase) seen.push({ state: status?.state, phase: status?.phase });
  };
  watcher.addHandler({ onAdd: record, onUpdate: (_old, obj) => record(obj), onDelete: record });
  watcher.start();
});

test.after.always(async () => {
  await watcher?.stop();
  await manager?.stop();
  await cluster?.stop();
});

const getCluster = async () => (await client.get(ref)) as OrchestCluster | undefined;
/** The distinct states the watch saw from index `from` on. */
const states = (from: number) => seen.slice(from).map((s) => s.state).filter((s, i, all) => s !== undefined && s !== all[i - 1]);
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
  // The cluster's ingress-nginx class, found by its controller (not by the name nginx), as Orchest finds it.
  await client.create({ apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "public" }, spec: { controller: "k8s.io/ingress-nginx" } });
  await client.create({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name, namespace: ns }, spec: spec("v2022.10.5") } as KubeObject);
  // Not spawnSync: the operator runs in this process and must keep reconciling while kubectl waits.
  const wait = await execFileAsync("kubectl", ["--kubeconfig", cluster.kubeconfig, "wait", "--for=condition=Ready", `orchestcluster/${name}`, "-n", ns, "--timeout=120s"]);
  t.regex(wait.stdout, /condition met/, "kubectl wait --for=condition=Ready works");
  await readyAt();
  const c = (await getCluster())!;
  t.is(c.status?.phase, "Running");
  t.is(c.status?.state, "Running");
  t.is(await cli.status(), "Running", "orchest status of Orchest's cli");
  t.is(await cli.version(), "v2022.10.5", "orchest version of Orchest's cli");
  t.true(seen.some((s) => s.state === "Deploying Orchest Control Plane"), JSON.stringify(seen));
  t.true(seen.every((s) => s.state === undefined || (CLUSTER_STATUS as readonly string[]).includes(s.state)), "every state is one the cli can parse");
  t.is(c.status?.version, "v2022.10.5");
  t.deepEqual(c.status?.runtimes, [{ runtime: "containerd", nodes: 2 }, { runtime: "docker", nodes: 1 }]);
  t.true(c.status!.components!.every((component) => component.ready));
  t.deepEqual(c.spec, spec("v2022.10.5"), "no default was written into .spec");
  const w = byName(await workloads());
  t.is(imageOf(w["orchest-webserver"]!), "orchest/orchest-webserver:v2022.10.5");
  t.is(imageOf(w["orchest-api"]!), "registry.example.com/team/orchest-api:patched");
  t.is(imageOf(w["orchest-database"]!), "postgres:13.1");
  const ingresses = (await client.list({ apiVersion: "networking.k8s.io/v1", kind: "Ingress" }, { namespace: ns })).items;
  t.deepEqual(ingresses.map((i) => [i.metadata.name, (i.spec as { ingressClassName?: string }).ingressClassName]).sort(), [["auth-server", "public"], ["orchest-api", "public"], ["orchest-webserver", "public"]]);
  const apiEnv = (w["orchest-api"]!.spec as any).template.spec.containers[0].env as Array<{ name: string; value?: string }>;
  t.is(apiEnv.find((e) => e.name === "INGRESS_CLASS")?.value, "public");
  t.truthy(w["buildkit-daemon"] ?? w["buildkit-daemon-containerd"], "buildkit runs for the containerd nodes");
  const secret = await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: "registry-tls-secret" });
  const registryService = await client.get({ apiVersion: "v1", kind: "Service", namespace: ns, name: "docker-registry" });
  const tls = tlsOfSecret(secret as { data?: Record<string, string> });
  t.truthy(tls, "the operator filled the registry's TLS Secret");
  t.true(coversIdentity(tls!, registryIdentity("docker-registry", ns, (registryService!.spec as { clusterIP: string }).clusterIP)), "for the Service's names and ClusterIP");
  // The registry reads its certificate once, at start: it must start with this one, never with one issued
  // before the Service had its ClusterIP (docker then refuses to push to the ClusterIP).
  const registry = w["docker-registry"]!;
  t.is(registry.metadata.generation, 1, "the registry was never rolled for a newer certificate");
  t.is((registry.spec as any).template.metadata.annotations[ANNOTATIONS.registryTls], registryTlsDigest(tls!), "its pods carry the digest of the certificate they read");
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

test.serial("a node's heartbeat enqueues no reconcile; a change synth reads from a node (a label) does", async (t) => {
  await readyAt();
  const node = "node-containerd-1";
  // Registered after the controller's handler, so it runs right after it for the same event: the keys queued or
  // handed to a worker then are what that event enqueued (the queue was idle before it).
  const queuedAfter = new Map<string, number>();
  const stop = manager.informers.informerFor({ apiVersion: "v1", kind: "Node" }).addHandler({
    onAdd() {},
    onUpdate: (_old, obj) => void (obj.metadata.name === node && queuedAfter.set(obj.metadata.resourceVersion!, controller.queue.length + controller.queue.inFlight)),
    onDelete() {},
  });
  try {
    const queuedBy = async (change: () => Promise<KubeObject>) => {
      await waitFor("the operator to be idle", () => controller.queue.length === 0 && controller.queue.inFlight === 0, 60_000, 20);
      const changed = await change();
      await waitFor("the node's change in the operator's cache", () => queuedAfter.has(changed.metadata.resourceVersion!), 30_000, 20);
      return queuedAfter.get(changed.metadata.resourceVersion!);
    };
    const heartbeat = async () => {
      const live = (await client.get({ apiVersion: "v1", kind: "Node", name: node }))!;
      const now = new Date().toISOString();
      const conditions = ((live.status as { conditions?: Array<Record<string, string>> }).conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: now }));
      return client.patch({ apiVersion: "v1", kind: "Node", name: node }, { status: { conditions } }, "merge", "status");
    };
    t.is(await queuedBy(heartbeat), 0, "a heartbeat (status.conditions' times) changes nothing synth reads");
    t.is(await queuedBy(() => client.patch({ apiVersion: "v1", kind: "Node", name: node }, { metadata: { labels: { "example.com/pool": "a" } } }, "merge")), 1, "a label is a fact: the cluster is reconciled");
  } finally {
    stop();
    await client.patch({ apiVersion: "v1", kind: "Node", name: node }, { metadata: { labels: { "example.com/pool": null } } }, "merge");
  }
});

test.serial("kubectl diff of the synthesized manifests against the cluster shows nothing", async (t) => {
  const c = (await getCluster())!;
  const nodes = (await client.list({ apiVersion: "v1", kind: "Node" })).items;
  // The facts the operator synthesizes with: the nodes, the ingress class, and the registry's TLS Secret and ClusterIP.
  const secret = await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: "registry-tls-secret" });
  const registryService = await client.get({ apiVersion: "v1", kind: "Service", namespace: ns, name: "docker-registry" });
  const registry = { tls: tlsOfSecret(secret as { data?: Record<string, string> })!, clusterIP: (registryService!.spec as { clusterIP: string }).clusterIP };
  const ingressClass = ingressClassOf((await client.list({ apiVersion: "networking.k8s.io/v1", kind: "IngressClass" })).items);
  const manifests: Manifest[] = synth(c, { ...clusterFacts(nodes).facts, ...(ingressClass ? { ingressClass } : {}), registry });
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
  // Orchest's cli: reads spec.orchest.version, refuses a downgrade, patches the version, waits for Running.
  const visited = await cli.update("v2022.11.1");
  t.true(visited.includes("Updating"), visited.join(" → "));
  t.is(visited[visited.length - 1], "Running");
  await readyAt((await getCluster())!.metadata!.generation);
  watching = false;
  await sampler;
  const after = byName(await workloads());
  t.is(imageOf(after["orchest-webserver"]!), "orchest/orchest-webserver:v2022.11.1");
  t.is(imageOf(after["celery-worker"]!), "orchest/celery-worker:v2022.11.1");
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

test.serial("orchest stop scales everything to zero in reverse order, with no cleanup pod, orchest start brings it back", async (t) => {
  // Each component's first tick at zero pods (ticks give order, not time), and any Pod named as Orchest's cleanup pod.
  const at = new Map<string, number>();
  let tick = 0;
  let watching = true;
  const mark = (what: string) => {
    if (!at.has(what)) at.set(what, tick);
  };
  const cleanupRef = { apiVersion: "v1", kind: "Pod", namespace: ns, name: "orchest-api-cleanup" };
  const sampler = (async () => {
    while (watching) {
      tick++;
      for (const w of await workloads()) {
        const s = (w.status ?? {}) as Record<string, number>;
        const pods = w.kind === "DaemonSet" ? (s.currentNumberScheduled ?? 0) : (s.replicas ?? 0);
        if (pods === 0) mark(w.metadata.labels?.["orchest.io/component"] ?? w.metadata.name!);
      }
      if (await client.get(cleanupRef)) mark("cleanup pod");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const from = seen.length;
  const stopped = await cli.stop();
  watching = false;
  await sampler;
  t.is(stopped[stopped.length - 1], "Stopped", stopped.join(" → "));
  // The cli samples every 4 s; the watch saw every state.
  t.deepEqual(states(from), ["Stopping", "Stopped"]);
  const c = (await getCluster())!;
  t.is(c.status?.phase, "Paused");
  t.is(condition(c, "Ready")?.reason, "Paused");
  for (const w of await workloads()) {
    const s = (w.status ?? {}) as Record<string, number>;
    t.is(w.kind === "DaemonSet" ? (s.currentNumberScheduled ?? 0) : (s.replicas ?? 0), 0, `${w.kind}/${w.metadata.name} has no pods`);
  }
  const order = (a: string, b: string) => t.true(at.get(a)! <= at.get(b)!, `${a} (tick ${at.get(a)}) before ${b} (tick ${at.get(b)})`);
  order("node-agent", "orchest-webserver");
  order("orchest-webserver", "orchest-api");
  order("orchest-api", "rabbitmq-server");
  order("rabbitmq-server", "orchest-database");
  // Orchest's cleanup pod runs a script of Orchest's Python API, which this project's api replaces.
  t.false(at.has("cleanup pod"), "no orchest-api-cleanup pod");

  const resumed = seen.length;
  const started = await cli.start();
  t.is(started[started.length - 1], "Running", started.join(" → "));
  t.deepEqual(states(resumed), ["Starting", "Running"]);
  await readyAt((await getCluster())!.metadata!.generation);
  t.is((await getCluster())!.status?.phase, "Running");
});

test.serial("orchest restart rolls every component each time it is asked, and the request is removed", async (t) => {
  for (const round of [1, 2]) {
    const before = byName(await workloads());
    const restartedBefore = (await getCluster())!.status?.restartedAt;
    // The cli always writes "true": a second restart must not look like no change.
    const visited = await cli.restart();
    t.is(visited[visited.length - 1], "Running", `round ${round}: ${visited.join(" → ")}`);
    await readyAt();
    const c = (await getCluster())!;
    t.is(c.metadata?.annotations?.["orchest.io/restart"], undefined, `round ${round}: the annotation is removed, as Orchest removes it`);
    t.truthy(c.status?.restartedAt);
    t.not(c.status?.restartedAt, restartedBefore, `round ${round}: a new restart was recorded`);
    const after = byName(await workloads());
    for (const [workload, w] of Object.entries(after) as Array<[string, KubeObject]>) {
      t.not(w.metadata.generation, before[workload]?.metadata.generation, `round ${round}: ${workload} was rolled`);
      t.is((w.spec as any).template.metadata.annotations["orchest.io/restarted-at"], c.status?.restartedAt);
    }
  }
  t.true(seen.some((s) => s.state === "Restarting"), "status.state read Restarting meanwhile");
});

test.serial("a spec the schema accepts but the apiserver refuses to apply is reported as Degraded with the reason, then recovers", async (t) => {
  await client.patch(ref, { spec: { controlNodeSelector: { "example.com/pool": "not a valid label value!" } } }, "merge");
  await waitFor("Degraded", async () => condition(await getCluster(), "Degraded")?.status === "True", 30_000, 200);
  const c = (await getCluster())!;
  t.is(condition(c, "Degraded")?.reason, "ApplyFailed");
  t.regex(condition(c, "Degraded")!.message, /nodeSelector/);
  t.is(c.status?.phase, "Degraded");
  t.is(await cli.status(), "Error");
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
  t.deepEqual(seen[seen.length - 1], { state: "Deleting", phase: "Deleting" }, "the last status it had");
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
