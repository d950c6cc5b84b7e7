import test from "ava";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImageBuild, ImageLocation } from "../../crds/types/index.js";
import { installCrds } from "../../operator/install.js";
import { KubeClient, type KubeObject } from "../../reconcilers/index.js";
import { waitFor } from "../../reconcilers/testing.js";
import { createTestNamespace, simulatePodLog, useTestbed, withoutTestbed, type Testbed } from "../../testbed/index.js";
import { BUILD_UID_LABEL, BUILT_LABEL } from "../../agent/location-identity.js";
import { ImagePlacer } from "../scheduling/index.js";
import { addNodePool, type NodePool } from "../scheduling/node-pool.js";
import { IMAGE_BUILD } from "./reconciler.js";
import { completePod as completeSimulatedPod, startBuildsApi, type BuildsApi } from "./testing.js";

// Tests that need the test bed's own parts: on an existing cluster they are registered as skipped, never reported as passed.
const onTestbed: typeof test.skip = withoutTestbed() ? test.skip : test;

let ns: string;
let pool: NodePool;
let client: KubeClient;
let api: BuildsApi;
let port: number;
let tb: Testbed;

test.before(async () => {
  tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "builds");
  pool = await addNodePool(tb.kubeConfig, ns, ["docker", "containerd"]);
  client = new KubeClient(tb.kubeConfig);
  api = await startBuildsApi(tb.kubeConfig, ns);
  port = api.port;
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "context", namespace: ns }, data: { Dockerfile: "FROM scratch\n" } });
});

test.after.always(async () => {
  await api?.close();
  client?.close();
});

const newBuild = (name: string, spec: Partial<ImageBuild["spec"]>): KubeObject =>
  ({
    ...IMAGE_BUILD,
    metadata: { name, namespace: ns },
    spec: { image: `orchest-env-${name}:1`, purpose: "Environment", context: { configMap: { name: "context" } }, nodeSelector: pool.selector, ...spec },
  }) as KubeObject;
const getBuild = async (name: string) => (await client.get({ ...IMAGE_BUILD, namespace: ns, name })) as unknown as ImageBuild;
const getPod = (name: string) => client.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name });
const phaseOf = async (name: string, phase: string, timeoutMs = 30_000) => {
  await waitFor(`build ${name} to be ${phase}`, async () => (await getBuild(name)).status?.phase === phase, timeoutMs, 100);
  return getBuild(name);
};
const completePod = (pod: string, exitCode: number) => completeSimulatedPod(client, ns, pod, exitCode);

for (const runtime of ["docker", "containerd"] as const) {
  test(`a ${runtime} build runs its builder pod on a ${runtime} node to Succeeded and records the image as built there`, async (t) => {
    const name = `ok-${runtime}`;
    await client.create(newBuild(name, { runtime, buildArgs: [{ name: "NOTE", value: 'x"; rm -rf / #' }] }));
    const building = await phaseOf(name, "Building");
    const node = `${ns}-${runtime === "docker" ? 0 : 1}-${runtime}`;
    t.is(building.status?.node, node);
    t.is(building.status?.runtime, runtime);
    const pod = (await getPod(building.status!.podName!))!;
    const spec = pod.spec as any;
    t.is(spec.nodeName, node);
    t.is(pod.metadata.ownerReferences?.[0]?.uid, building.metadata!.uid);
    t.true(
      spec.containers[0].command.some((arg: string) => arg === 'NOTE=x"; rm -rf / #' || arg === 'build-arg:NOTE=x"; rm -rf / #'),
      "a build arg is one argv element, never shell text",
    );
    if (runtime === "docker") {
      t.deepEqual(spec.volumes[0].hostPath, { path: "/var/run/docker.sock", type: "Socket" });
      t.deepEqual(spec.containers[0].command.slice(0, 2), ["sh", "-c"], "the docker builder's fixed script: build, push, record the digest");
    } else {
      t.deepEqual(spec.volumes[0].hostPath, { path: "/run/orchest_buildkit", type: "Directory" });
      t.deepEqual(spec.containers[0].command.slice(0, 2), ["sh", "-c"], "the buildctl builder's fixed script: build, hand the metadata over");
    }

    await completePod(pod.metadata.name!, 0);
    const done = await phaseOf(name, "Succeeded");
    t.is(done.status?.reason, "Built");
    t.truthy(done.status?.completionTime);
    t.is(done.status?.observedGeneration, done.metadata?.generation);
    const locations = (await client.list({ apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" }, { namespace: ns })).items as unknown as ImageLocation[];
    const built = locations.filter((l) => l.spec.image === done.spec.image);
    t.deepEqual(built.map((l) => [l.spec.node, l.metadata?.labels?.[BUILT_LABEL]]), [[node, "built"]]);

    t.is(built[0]!.metadata?.labels?.[BUILD_UID_LABEL], done.metadata!.uid, "the location names its build");

    // Retention: the finished builder pod is deleted a while later.
    await waitFor("the builder pod to be cleaned up", async () => !(await getPod(pod.metadata.name!)), 20_000, 200);

    // The build deleted: its built location goes too, and with it every agent's reason to hold the image.
    await client.delete({ ...IMAGE_BUILD, namespace: ns, name });
    const location = { apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation", namespace: ns, name: built[0]!.metadata!.name! };
    await waitFor("the built location to go with its build", async () => !(await client.get(location)), 20_000, 200);
  });

  test(`a ${runtime} build whose builder exits non-zero is Failed with the reason`, async (t) => {
    const name = `fail-${runtime}`;
    await client.create(newBuild(name, { runtime }));
    const building = await phaseOf(name, "Building");
    await completePod(building.status!.podName!, 2);
    const failed = await phaseOf(name, "Failed");
    t.is(failed.status?.reason, "BuildFailed");
    t.regex(failed.status!.message!, /exited with code 2 \(Error\)/);
    t.is(failed.status?.runtime, runtime);
  });
}

test("cancelling by spec.cancel deletes the builder pod and ends Cancelled", async (t) => {
  await client.create(newBuild("cancel", {}));
  const building = await phaseOf("cancel", "Building");
  await client.patch({ ...IMAGE_BUILD, namespace: ns, name: "cancel" }, { spec: { cancel: true } }, "merge");
  const cancelled = await phaseOf("cancel", "Cancelled");
  t.is(cancelled.status?.reason, "CancelRequested");
  await waitFor("the builder pod to go", async () => !(await getPod(building.status!.podName!)), 15_000, 200);
});

test("a build that does not finish in spec.timeoutSeconds fails with DeadlineExceeded", async (t) => {
  await client.create(newBuild("deadline", { timeoutSeconds: 3 }));
  const failed = await phaseOf("deadline", "Failed", 20_000);
  t.is(failed.status?.reason, "DeadlineExceeded");
});

test("a build with no node of its runtime waits Pending with NoBuildNode", async (t) => {
  await client.create(newBuild("no-node", { nodeSelector: { ...pool.selector, absent: "yes" } }));
  const pending = await phaseOf("no-node", "Pending");
  await waitFor("the NoBuildNode reason", async () => (await getBuild("no-node")).status?.reason === "NoBuildNode", 10_000, 100);
  t.regex((await getBuild("no-node")).status!.message!, /no Ready node/);
  t.falsy(pending.status?.podName);
});

test("a build that names no node goes to the worker plane of its namespace's OrchestCluster", async (t) => {
  // The test bed's other nodes (this file's pool is two of them) would take it otherwise.
  await client.create({ apiVersion: "orchest.io/v1alpha1", kind: "OrchestCluster", metadata: { name: "orchest", namespace: ns }, spec: { workerNodeSelector: pool.selector } } as KubeObject);
  const placer = new ImagePlacer(api.manager.informers);
  await waitFor("the api's cache to see the worker plane", () => placer.workerNodeSelector(ns) !== undefined, 10_000, 100);
  await client.create({ ...newBuild("workers", {}), spec: { image: "orchest-env-workers:1", purpose: "Environment", context: { configMap: { name: "context" } } } } as KubeObject);
  const building = await phaseOf("workers", "Building");
  t.true(pool.nodes.includes(building.status!.node!), `on ${building.status!.node}, one of ${pool.nodes.join(", ")}`);
});

/** Reads server-sent events until `end` (or the timeout), calling `onEvent` for each as it arrives. */
function readEvents(path: string, onEvent: (event: { event: string; data: string; id?: string }) => void, headers: Record<string, string> = {}): Promise<Array<{ event: string; data: string; id?: string }>> {
  return new Promise((resolve, reject) => {
    const events: Array<{ event: string; data: string; id?: string }> = [];
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let at;
        while ((at = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          if (frame.startsWith(":")) continue;
          const fields = Object.fromEntries(frame.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
          const event = { event: fields.event ?? "message", data: fields.data ?? "", ...(fields.id ? { id: fields.id } : {}) };
          events.push(event);
          onEvent(event);
        }
      });
      res.on("end", () => resolve(events));
    });
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error("no end event within 30 s")));
    req.end();
  });
}

test("the build log endpoint follows the builder through the Kubernetes API and ends with the outcome", async (t) => {
  await client.create(newBuild("logs", { runtime: "docker" }));
  const building = await phaseOf("logs", "Building");
  let completed = false;
  const events = await readEvents(`/builds/logs/logs`, (event) => {
    // The stream is open while the builder runs: only now is the build finished.
    if (!completed && event.event === "notice") {
      completed = true;
      void completePod(building.status!.podName!, 0);
    }
  });
  t.log(events.map((e) => `${e.event}: ${e.data}`).join("\n"));
  // This builder has no simulated log (no kwok Logs object): kwok's kubelet answers pods/log with an error, which the client is told.
  t.is(events[0]?.event, "notice");
  t.regex(events[0]!.data, /cannot be read yet/);
  const end = events.at(-1)!;
  t.is(end.event, "end");
  t.like(JSON.parse(end.data), { phase: "Succeeded", reason: "Built" });

  // A late joiner gets the kept events and the outcome at once.
  const late = await readEvents(`/builds/logs/logs`, () => {});
  t.is(late.at(-1)?.event, "end");
  t.like(JSON.parse(late.at(-1)!.data), { phase: "Succeeded" });
});

onTestbed("logs are streamed to a client while the builder pod runs, and the stream ends with the outcome", async (t) => {
  await client.create(newBuild("live", { runtime: "containerd" }));
  const pod = (await phaseOf("live", "Building")).status!.podName!;
  const log = await simulatePodLog(tb.kubeConfig, ns, pod, join(mkdtempSync(join(tmpdir(), "build-log-")), "builder.log"));
  log.write("#1 [internal] load build definition from Dockerfile");
  const events = await readEvents(`/builds/live/logs`, (event) => {
    if (event.event !== "log") return;
    // Each line is written once the previous one reached the client; the build ends only after the last.
    if (event.id === "1") log.write("#2 [1/1] FROM scratch");
    else void completePod(pod, 0);
  });
  t.deepEqual(
    events.map((e) => [e.event, e.id ?? "", e.event === "end" ? JSON.parse(e.data).phase : e.data]),
    [
      ["log", "1", "#1 [internal] load build definition from Dockerfile"],
      ["log", "2", "#2 [1/1] FROM scratch"],
      ["end", "", "Succeeded"],
    ],
  );

  // A reconnecting client (Last-Event-ID) gets what it missed, then the outcome.
  const resumed = await readEvents(`/builds/live/logs`, () => {}, { "last-event-id": "1" });
  t.deepEqual(resumed.map((e) => e.id ?? e.event), ["2", "end"]);
});

test("the build log endpoint answers 404 for a build that does not exist", async (t) => {
  const status = await new Promise<number>((resolve, reject) => {
    request({ host: "127.0.0.1", port, path: `/builds/nope/logs` }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject).end();
  });
  t.is(status, 404);
});
