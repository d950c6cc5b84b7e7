import { AppsV1Api, ApiextensionsV1Api, CoreV1Api, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import test from "ava";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./command.js";
import { call } from "./https.js";
import { apiserverGet, buildOciImage, createTestNamespace, eventually, simulatePodLog, withoutTestbed, useTestbed } from "./index.js";

// Tests that need the test bed's own parts: on an existing cluster they are registered as skipped, never reported as passed.
const onTestbed: typeof test.skip = withoutTestbed() ? test.skip : test;

const kubectl = (...args: string[]) => execFileSync("kubectl", args, { encoding: "utf8" });


test("the apiserver answers with the pinned Kubernetes version", async (t) => {
  const tb = await useTestbed();
  const version = JSON.parse(await apiserverGet(tb.kubeConfig, "/version"));
  t.regex(version.gitVersion, /^v1\.\d+\.\d+/);
  if (tb.simulated) t.is(version.gitVersion, "v1.35.4");
});

test("a CRD installs and kubectl get lists its objects", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "smoke-crd");
  const crd: V1CustomResourceDefinition = {
    metadata: { name: "widgets.smoke.testbed.orchest.io" },
    spec: {
      group: "smoke.testbed.orchest.io",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } } }],
    },
  };
  await tb.kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd }).catch((e) => {
    if (e.code !== 409) throw e;
  });
  await eventually("the CRD to be Established", async () => {
    const got = await tb.kubeConfig.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: crd.metadata!.name! });
    return got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") || undefined;
  });
  execFileSync("kubectl", ["apply", "-n", ns, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "smoke.testbed.orchest.io/v1", kind: "Widget", metadata: { name: "w1" }, spec: { size: 3 } }),
  });
  t.is(kubectl("get", "widgets", "-n", ns, "-o", "name").trim(), "widget.smoke.testbed.orchest.io/w1");
});

test("a Deployment of 3 replicas becomes Available with its pods bound by the scheduler to simulated nodes", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "smoke-deploy");
  const labels = { app: "smoke" };
  await tb.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name: "smoke" },
      spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "main", image: "example.invalid/smoke:1" }] } } },
    },
  });
  const deployment = await eventually("the Deployment to be Available with 3 ready replicas", async () => {
    const d = await tb.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: "smoke", namespace: ns });
    const available = d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True");
    return available && d.status?.readyReplicas === 3 ? d : undefined;
  });
  t.is(deployment.status?.availableReplicas, 3);
  const pods = await tb.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns });
  // Simulated nodes: the test bed's own, and any that other test files added to the shared cluster meanwhile.
  const simulated = await tb.kubeConfig.makeApiClient(CoreV1Api).listNode({ labelSelector: tb.simulated ? "testbed.orchest.io/simulated=true" : undefined });
  const nodes = new Set(simulated.items.map((n) => n.metadata!.name!));
  t.is(pods.items.length, 3);
  for (const pod of pods.items) {
    t.true(nodes.has(pod.spec?.nodeName ?? ""), `pod ${pod.metadata?.name} bound to ${pod.spec?.nodeName}`);
    t.true(pod.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "True"));
  }
});

onTestbed("each simulated node's containerd answers its version over its socket", async (t) => {
  const tb = await useTestbed();
  const sockets = tb.nodes.filter((n) => n.runtime === "containerd").map((n) => n.containerd!.socket);
  t.true(sockets.length >= 2);
  for (const socket of sockets) {
    const out = await run("ctr", ["--address", socket, "version"]);
    t.regex(out, /Server:\s+Version:\s+\S+/);
  }
});

onTestbed("the registry answers GET /v2/", async (t) => {
  const tb = await useTestbed();
  const reply = await call(`http://${tb.registry!.host}/v2/`);
  t.is(reply.status, 200);
});

onTestbed("an image pushed to the registry from one node's containerd is pulled by another's", async (t) => {
  const tb = await useTestbed();
  const [builder, puller] = tb.nodes.filter((n) => n.runtime === "containerd");
  const reference = `${tb.registry!.host}/smoke/hello:v1`;
  const ctr = (node: typeof builder, ...args: string[]) => run("ctr", ["--address", node!.containerd!.socket, "--namespace", "k8s.io", ...args]);
  const image = await buildOciImage(reference, { "hello.txt": "hello from the test bed\n" }, (archive) => ctr(builder, "images", "import", archive));

  await ctr(builder, "images", "push", "--plain-http", reference);
  const tags = JSON.parse((await call(`http://${tb.registry!.host}/v2/smoke/hello/tags/list`)).body);
  t.deepEqual(tags.tags, ["v1"]);

  await ctr(puller, "images", "pull", "--plain-http", reference);
  const listed = await ctr(puller, "images", "ls", "-q");
  t.true(listed.split("\n").includes(reference));
  const digest = (await ctr(puller, "images", "ls")).split("\n").find((line) => line.startsWith(reference));
  t.true(digest?.includes(image.digest), `pulled digest matches the built one (${image.digest})`);
});

test("a PersistentVolumeClaim that names no class is bound by the test bed's provisioner", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "smoke-pvc");
  const core = tb.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedPersistentVolumeClaim({
    namespace: ns,
    body: { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } } },
  });
  const claim = await eventually("the claim to be Bound", async () => {
    const c = await core.readNamespacedPersistentVolumeClaim({ name: "data", namespace: ns });
    return c.status?.phase === "Bound" ? c : undefined;
  });
  t.truthy(claim.spec?.volumeName);
  await core.deleteNamespacedPersistentVolumeClaim({ name: "data", namespace: ns });
  await eventually("the released volume to be deleted", async () =>
    (await core.listPersistentVolume()).items.some((v) => v.metadata?.name === claim.spec?.volumeName) ? undefined : true,
  );
  t.pass();
});

onTestbed("kubectl logs follows a simulated pod's log as lines are written", async (t) => {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, "smoke-logs");
  const core = tb.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: "talker" }, spec: { containers: [{ name: "main", image: "example.invalid/talker:1" }] } } });
  await eventually("the pod to run", async () => ((await core.readNamespacedPod({ name: "talker", namespace: ns })).status?.phase === "Running" ? true : undefined));
  const log = await simulatePodLog(tb.kubeConfig, ns, "talker", join(mkdtempSync(join(tmpdir(), "smoke-logs-")), "talker.log"));
  log.write("before the follower");

  const follower = spawn("kubectl", ["logs", "-f", "talker", "-n", ns], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  follower.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  try {
    await eventually("the first line", async () => (out.includes("before the follower\n") ? true : undefined), 15_000);
    // Each line is written only once the previous one arrived: they can only have been streamed live.
    for (const line of ["live 1", "live 2"]) {
      log.write(line);
      await eventually(`"${line}"`, async () => (out.includes(`${line}\n`) ? true : undefined), 15_000);
    }
    t.is(out, "before the follower\nlive 1\nlive 2\n");
  } finally {
    follower.kill();
  }
});
