// The CLI against the test bed's API server. No operator runs here: the tests write status as it would.
import test from "ava";
import { join } from "node:path";
import { createTestNamespace, useTestbed } from "../testbed/index.js";
import { PACKAGE_ROOT } from "./paths.js";
import { condition, eventually, installCrds, kubectl, orchest, startOrchest, writeStatus } from "./testing.js";

test.before(async () => {
  await useTestbed();
  await installCrds();
});

/** A namespace with one OrchestCluster at v2022.10.5 with a custom database image. */
async function clusterIn(prefix: string): Promise<string> {
  const namespace = await createTestNamespace((await useTestbed()).kubeConfig, prefix);
  const cluster = {
    apiVersion: "orchest.io/v1alpha1",
    kind: "OrchestCluster",
    metadata: { name: "cluster-1", namespace },
    spec: { orchest: { version: "v2022.10.5" }, postgres: { image: "postgres:13.1" } },
  };
  await kubectl(["apply", "-f", "-"], JSON.stringify(cluster));
  return namespace;
}

const get = async (namespace: string) => JSON.parse(await kubectl(["get", "orchestcluster", "cluster-1", "-n", namespace, "-o", "json"]));

test("update refuses a downgrade and names the current version", async (t) => {
  const namespace = await clusterIn("cli-downgrade");
  const { code, stderr } = await orchest("update", "-n", namespace, "--version", "v2022.09.1");
  t.is(code, 1);
  t.regex(stderr, /refusing to downgrade cluster-1 from v2022\.10\.5 \(current\) to v2022\.09\.1/);
  t.is((await get(namespace)).spec.orchest.version, "v2022.10.5");
});

test("update refuses a version that is not CalVer with exit 2 and an example", async (t) => {
  const { code, stderr } = await orchest("update", "cluster-1", "-n", "default", "--version", "2022.10");
  t.is(code, 2);
  t.regex(stderr, /--version "2022\.10" is not a CalVer version vYYYY\.MM\.N.*e\.g\. --version v\d{4}\.\d{2}\.\d+/);
});

test("update changes spec.orchest.version only, so custom images stay", async (t) => {
  const namespace = await clusterIn("cli-update");
  const { code, stderr } = await orchest("update", "-n", namespace, "--version", "v2022.11.0");
  t.is(code, 0, stderr);
  const spec = (await get(namespace)).spec;
  t.deepEqual(spec, { orchest: { version: "v2022.11.0" }, postgres: { image: "postgres:13.1" } });
});

test("pause sets spec.orchest.pause, resume removes it, restart stamps the restart annotation", async (t) => {
  const namespace = await clusterIn("cli-pause");
  t.is((await orchest("pause", "cluster-1", "-n", namespace)).code, 0);
  t.true((await get(namespace)).spec.orchest.pause);
  t.is((await orchest("resume", "-n", namespace)).code, 0);
  t.false("pause" in (await get(namespace)).spec.orchest);
  const before = Date.now();
  t.is((await orchest("restart", "-n", namespace)).code, 0);
  const stamp = (await get(namespace)).metadata.annotations["orchest.io/restart"];
  t.true(Date.parse(stamp) >= before - 1000, stamp);
});

test("status prints the cluster table, its components and conditions, or JSON", async (t) => {
  const namespace = await clusterIn("cli-status");
  await writeStatus(namespace, "cluster-1", {
    observedGeneration: 1,
    phase: "Running",
    version: "v2022.10.5",
    components: [{ name: "orchest-database", kind: "StatefulSet", ready: true, desiredReplicas: 1, readyReplicas: 1, image: "postgres:13.1" }],
    conditions: [condition("Ready", "True", "AllComponentsReady")],
  });
  const { code, stdout } = await orchest("status", "cluster-1", "-n", namespace);
  t.is(code, 0);
  const [header, row] = stdout.split("\n");
  t.deepEqual(header!.split(/\s+/), ["NAME", "PHASE", "VERSION", "READY", "AGE"]);
  t.regex(row!, /^cluster-1\s+Running\s+v2022\.10\.5\s+1\/1\s+\d+s$/);
  t.regex(stdout, /orchest-database\s+StatefulSet\s+yes\s+1\/1\s+postgres:13\.1/);
  t.regex(stdout, /Ready\s+True\s+AllComponentsReady/);
  const json = await orchest("status", "cluster-1", "-n", namespace, "-o", "json");
  t.is(JSON.parse(json.stdout).status.phase, "Running");
});

test("status --wait returns once the operator reports Ready, with progress lines", async (t) => {
  const namespace = await clusterIn("cli-wait");
  await writeStatus(namespace, "cluster-1", { observedGeneration: 1, phase: "Deploying", components: [{ name: "orchest-database", ready: false }] });
  const waiting = startOrchest("status", "cluster-1", "-n", namespace, "--wait", "--timeout", "60s");
  await eventually("a progress line", () => waiting.stderrSoFar().includes("Deploying"));
  await writeStatus(namespace, "cluster-1", { phase: "Running", components: [{ name: "orchest-database", ready: true }], conditions: [condition("Ready", "True", "AllComponentsReady")] });
  const { code, stderr } = await waiting.done;
  t.is(code, 0, stderr);
  t.regex(stderr, /cluster-1: Deploying, 0\/1 components ready, waiting for orchest-database/);
  t.regex(stderr, /cluster-1: Ready/);
});

test("status --wait fails after --timeout and says where to look", async (t) => {
  const namespace = await clusterIn("cli-timeout");
  const { code, stderr } = await orchest("status", "cluster-1", "-n", namespace, "--wait", "--timeout", "2s");
  t.is(code, 1);
  t.regex(stderr, /is not Ready after 2s.*kubectl -n orchest-system logs deploy\/orchest-operator/);
});

test("install applies the CRDs, the operator and the cluster, then waits for Ready", async (t) => {
  const namespace = `cli-install-${Date.now().toString(36)}`;
  const installing = startOrchest("install", "-f", join(PACKAGE_ROOT, "examples", "orchestcluster.yaml"), "-n", namespace, "--timeout", "90s");
  await eventually("install to wait for the cluster", () => installing.stderrSoFar().includes("cluster-1: Pending"));
  await writeStatus(namespace, "cluster-1", { observedGeneration: 1, phase: "Running", conditions: [condition("Ready", "True", "AllComponentsReady")] });
  const { code, stderr, stdout } = await installing.done;
  t.is(code, 0, stderr);
  t.regex(stderr, /CRDs: .*orchestclusters\.orchest\.io.* established/);
  t.regex(stderr, /operator: applied \d+ objects/);
  t.regex(stdout, /Orchest is Ready/);
  t.is((await kubectl(["get", "deployment", "orchest-operator", "-n", "orchest-system", "-o", "name"])).trim(), "deployment.apps/orchest-operator");
  t.is((await get(namespace)).spec.rabbitMq.image, "rabbitmq:3");
});

test("uninstall deletes the cluster and waits until it is gone", async (t) => {
  const namespace = await clusterIn("cli-uninstall");
  const { code, stderr } = await orchest("uninstall", "-n", namespace, "--timeout", "30s");
  t.is(code, 0, stderr);
  t.is(await kubectl(["get", "orchestclusters", "-n", namespace, "-o", "name"]), "");
});

test("commands on a missing cluster say how to find one", async (t) => {
  const { code, stderr } = await orchest("pause", "-n", "default");
  t.is(code, 1);
  t.regex(stderr, /no OrchestCluster in namespace default: create one with orchest install/);
});
