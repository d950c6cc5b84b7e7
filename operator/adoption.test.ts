import test from "ava";
import { execFileSync } from "node:child_process";
import type { OrchestCluster } from "../crds/types/index.js";
import { Informer, KubeClient, Manager, silentLogger, type KubeObject } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { LABELS, toYaml, type Manifest } from "../synth/index.js";
import { Cluster } from "../testbed/index.js";
import { installCrds } from "./install.js";
import { addOrchestClusterController, ORCHEST_CLUSTER } from "./reconciler.js";
import { issueRegistryTls, registryIdentity, tlsOfSecret } from "./registry-tls.js";
import { OrchestCli } from "./testing/orchest-cli.js";
import { ORCHEST_CRDS, ORCHEST_STATUS, ORCHEST_VERSION, orchestCluster, orchestClusterObjects, orchestComponents, orchestObjects, registryAddon } from "./testing/orchest-install.js";

// A private cluster: it gets Orchest's CRDs first, and cluster-wide objects named as Orchest names them.
let cluster: Cluster;
let client: KubeClient;
let manager: Manager | undefined;
const ns = "orchest";
const name = "cluster-1";
const ref = { ...ORCHEST_CLUSTER, namespace: ns, name };

test.before(async () => {
  cluster = await Cluster.start({ nodes: [{ name: "node-1", runtime: "containerd" }, { name: "node-2", runtime: "containerd" }], containerd: false, registry: false });
  client = new KubeClient(cluster.kubeConfig());
});

test.after.always(async () => {
  await manager?.stop();
  await cluster?.stop();
});

const serverSideApply = (objects: readonly KubeObject[]) =>
  execFileSync("kubectl", ["--kubeconfig", cluster.kubeconfig, "apply", "--server-side", "--force-conflicts", "--field-manager=orchest-operator", "-f", "-"], {
    input: toYaml(objects as Manifest[]),
    encoding: "utf8",
  });

/** Creates the install as Orchest's controller left it; returns the UIDs of its claims. */
async function installWithOrchestsController(): Promise<{ claims: Record<string, string>; registryIP: string; ca: string }> {
  // Orchest's CRDs, applied by the same field manager as ours, so that ours replace them field for field.
  serverSideApply(ORCHEST_CRDS);
  execFileSync("kubectl", ["--kubeconfig", cluster.kubeconfig, "wait", "--for=condition=Established", "crd/orchestclusters.orchest.io", "crd/orchestcomponents.orchest.io"]);
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  // Orchest pins the registry's IP (service.clusterIP) and signs its certificate for it.
  const probe = await client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "ip-probe", namespace: ns }, spec: { ports: [{ port: 1 }] } });
  const registryIP = (probe.spec as { clusterIP: string }).clusterIP;
  await client.delete({ apiVersion: "v1", kind: "Service", namespace: ns, name: "ip-probe" });
  const tls = await issueRegistryTls(registryIdentity("docker-registry", ns, registryIP));

  const oc = await client.create(orchestCluster(ns, name, registryIP));
  await client.patch(ref, { status: ORCHEST_STATUS }, "merge", "status");
  const owner = { kind: "OrchestCluster", name, uid: oc.metadata.uid! };
  const components = [];
  for (const component of orchestComponents(ns, owner)) {
    const made = await client.create(component);
    components.push({ kind: "OrchestComponent", name: made.metadata.name!, uid: made.metadata.uid! });
  }
  for (const obj of [...orchestClusterObjects(ns, owner), ...registryAddon(ns, owner, registryIP, { ca: tls.caCertificate!, cert: tls.certificate, key: tls.privateKey }), ...orchestObjects(ns, owner, components)]) {
    await client.create(obj);
  }
  const claims: Record<string, string> = {};
  for (const claim of ["userdir-pvc", "docker-registry"]) claims[claim] = (await client.get({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name: claim }))!.metadata.uid!;
  return { claims, registryIP, ca: tls.caCertificate! };
}

const getCluster = async () => (await client.get(ref)) as OrchestCluster | undefined;
const list = async (apiVersion: string, kind: string, namespace?: string) => (await client.list({ apiVersion, kind }, namespace ? { namespace } : {})).items;

test.serial("the operator adopts an install made by Orchest's controller: no apply failure, no claim recreated, Orchest's workloads replaced", async (t) => {
  const before = await installWithOrchestsController();
  installCrds(cluster.kubeconfig);
  // Watch every condition the operator ever writes: a failure would show as Degraded, if only for a moment.
  const reasons = new Set<string>();
  const watcher = new Informer(client, ORCHEST_CLUSTER, { namespace: ns });
  const record = (obj: KubeObject) => {
    for (const c of (obj as OrchestCluster).status?.conditions ?? []) if (c.type === "Degraded" && c.status === "True") reasons.add(c.reason);
  };
  watcher.addHandler({ onAdd: record, onUpdate: (_old, obj) => record(obj) });
  watcher.start();
  manager = new Manager({ kubeConfig: cluster.kubeConfig(), name: "orchest-operator", logger: silentLogger });
  addOrchestClusterController(manager, { waitingRecheckMs: 1_000 });
  await manager.start();
  try {
    await waitFor("the adopted cluster to be Ready", async () => (await getCluster())?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true, 120_000, 250);
  } catch (err) {
    const status = (await getCluster())?.status;
    throw new Error(`${(err as Error).message}; status: ${JSON.stringify({ ...status, inventory: undefined, components: undefined })}`);
  } finally {
    await watcher.stop();
  }
  t.deepEqual([...reasons], [], "never Degraded");
  const c = (await getCluster())!;
  t.is(c.status?.state, "Running");
  t.is(await new OrchestCli(client, ns, name).status(), "Running", "Orchest's cli reads the adopted cluster's state");
  t.is(c.status?.version, ORCHEST_VERSION);
  t.false(c.metadata?.finalizers?.includes("controller.orchest.io"), "Orchest's finalizer is taken over: the cluster can be deleted without Orchest's controller");

  // The data: the same claims (same UIDs), now the operator's, mounted where Orchest's components had their data.
  for (const [claim, uid] of Object.entries(before.claims)) {
    const live = (await client.get({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name: claim }))!;
    t.is(live.metadata.uid, uid, `${claim} is the same claim`);
    t.is(live.metadata.labels?.[LABELS.managedBy], "orchest-operator", `${claim} is adopted`);
  }
  const statefulSets = Object.fromEntries((await list("apps/v1", "StatefulSet", ns)).map((s) => [s.metadata.name, s]));
  const mount = (s: KubeObject) => {
    const pod = (s.spec as any).template.spec;
    const m = pod.containers[0].volumeMounts.find((x: { subPath?: string }) => x.subPath);
    return [pod.volumes.find((v: { name: string }) => v.name === m.name).persistentVolumeClaim.claimName, m.subPath];
  };
  t.deepEqual(mount(statefulSets["orchest-database"]!), ["userdir-pvc", ".orchest/database/data"]);
  t.deepEqual(mount(statefulSets["rabbitmq-server"]!), ["userdir-pvc", ".orchest/rabbitmq-mnesia"]);

  // Orchest's workloads are replaced (their selectors are immutable), one workload per component is left.
  const deployments = await list("apps/v1", "Deployment", ns);
  t.deepEqual(deployments.map((d) => d.metadata.name).sort(), ["auth-server", "celery-worker", "docker-registry", "orchest-api", "orchest-webserver"]);
  for (const w of [...deployments, ...(await list("apps/v1", "DaemonSet", ns))]) {
    t.is(w.metadata.labels?.[LABELS.managedBy], "orchest-operator", `${w.kind}/${w.metadata.name} is the operator's`);
    t.truthy((w.spec as any).selector.matchLabels[LABELS.instance], `${w.kind}/${w.metadata.name} selects by the operator's labels`);
  }
  // Nothing the operator keeps depends on Orchest's OrchestComponents: removing Orchest's CRD cannot cascade.
  for (const entry of c.status!.inventory!.entries!) {
    const live = await client.get({ apiVersion: entry.apiVersion, kind: entry.kind, name: entry.name, ...(entry.namespace ? { namespace: entry.namespace } : {}) });
    t.false((live?.metadata.ownerReferences ?? []).some((o) => o.apiVersion.startsWith("orchest.io/")), `${entry.kind}/${entry.name} has no owner of Orchest's`);
  }
  // Orchest's cluster-admin grants to the API and the worker are gone; the registry keeps its address and CA.
  for (const role of ["orchest-api", "celery-worker"]) {
    t.is(await client.get({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", name: role }), undefined, `ClusterRoleBinding ${role}`);
    t.is(await client.get({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: role }), undefined, `ClusterRole ${role}`);
  }
  const registry = (await client.get({ apiVersion: "v1", kind: "Service", namespace: ns, name: "docker-registry" }))!;
  t.is((registry.spec as { clusterIP: string }).clusterIP, before.registryIP, "the registry's address, which nodes and certificates name");
  const secret = (await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: "registry-tls-secret" })) as { data?: Record<string, string> };
  t.is(tlsOfSecret(secret)?.caCertificate, before.ca, "the CA the nodes trust");
  t.true((await list("v1", "PersistentVolumeClaim", ns)).every((p) => p.metadata.deletionTimestamp === undefined), "no claim is being deleted");
});
