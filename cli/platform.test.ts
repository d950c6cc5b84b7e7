// The platform from nothing, on real nodes: helm install of the chart (the operator pod from the project image
// the test bed pushed), the OrchestCluster rolled out by that operator, and image builds on docker and on
// containerd that end with the image Present on every real node. Every check is of what real containers did.
// A private cluster: three containerd and one docker real node, two simulated ones for Orchest's Python components.
import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import anyTest, { type TestFn } from "ava";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Webhook } from "standardwebhooks";
import { startReceiver, type LoopbackReceiver } from "../api/events/loopback-receiver.js";
import { createWebhook } from "../api/events/test-support.js";
import { Informer, KubeClient, type KubeObject } from "../reconcilers/index.js";
import type { Binaries } from "../testbed/binaries.js";
import { Cluster, eventually } from "../testbed/index.js";
import { podLog, realNodesHere, waitForPod } from "../testbed/pods.js";
import { exampleForTestbed } from "./examples.js";
import { installPlatform, startPlatformCluster, userEnv } from "./platform.js";

const test = (realNodesHere() ? anyTest.serial : anyTest.serial.skip) as TestFn;
const exec = promisify(execFile);
const cliMain = fileURLToPath(new URL("./main.js", import.meta.url));
const NS = "orchest";

let cluster: Cluster | undefined;
let kc: KubeConfig;
let client: KubeClient;
let binaries: Binaries;
/** The webhook receiver on the host (the bridge's address, which pods reach), and its Subscriber's secret. */
let receiver: LoopbackReceiver;
let webhookSecret: string;
/** Whether each request verified against the Subscriber's secret when it arrived (Standard Webhooks refuses old timestamps later). */
const verified: boolean[] = [];
const real = ["c1", "c2", "c3", "d1"];

anyTest.before(async () => {
  if (!realNodesHere()) return;
  cluster = await startPlatformCluster({ containerd: ["c1", "c2", "c3"], docker: "d1", simulated: ["sim-1", "sim-2"] });
  kc = cluster.kubeConfig();
  client = new KubeClient(kc);
});

anyTest.after.always(async () => {
  client?.close();
  await receiver?.close();
  await cluster?.stop();
});

const env = () => userEnv(cluster!, binaries);
const kubectl = async (args: string[], input?: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn("kubectl", args, { env: env() });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(" ")} exited with ${code}: ${out}`))));
    child.stdin.end(input ?? "");
  });
/** An example of examples/, applied as npm start's user would: this project's release image is the test bed's. */
const applyExample = (name: string) =>
  kubectl(["apply", "-n", NS, "-f", "-"], exampleForTestbed(name, cluster!.state().images!["orchest-gitops"]!));

const core = () => kc.makeApiClient(CoreV1Api);
const pods = async (selector: string): Promise<V1Pod[]> => (await core().listNamespacedPod({ namespace: NS, labelSelector: selector })).items;
const ready = (pod: V1Pod) => pod.status?.phase === "Running" && (pod.status.containerStatuses ?? []).every((c) => c.ready);

test("helm install of the chart: the operator pod on a real node rolls the cluster out, this project's programs Running on real nodes", async (t) => {
  const image = cluster!.state().images!["orchest-gitops"]!;
  const installed = await installPlatform(cluster!);
  binaries = installed.binaries;
  t.regex(installed.output, /Orchest is Ready/);

  const [operator] = (await core().listNamespacedPod({ namespace: "orchest-system", labelSelector: "app.kubernetes.io/name=orchest-operator" })).items;
  t.true(real.includes(operator!.spec!.nodeName!) && ready(operator!), `the operator pod runs on real node ${operator!.spec!.nodeName}`);
  t.regex(await podLog(kc, "orchest-system", operator!.metadata!.name!), /"msg":"starting workers".*"controller":"orchestcluster"/);

  // Each of this project's programs, from the images of the operator's own release, Running and ready on real nodes.
  const prefix = image.replace(/\/orchest-gitops:.*$/, "");
  /** `nodes`: the real nodes the component runs on; unset: one pod, on some real node. */
  const expect = async (component: string, imageName: string, nodes: string[] | undefined, logLine: RegExp) => {
    const found = (await pods(`app.kubernetes.io/name=${component}`)).filter((p) => real.includes(p.spec!.nodeName!));
    if (nodes) t.deepEqual(found.map((p) => p.spec!.nodeName).sort(), nodes, `${component} on ${nodes.join(", ")}`);
    else t.is(found.length, 1, `one ${component} pod, on a real node`);
    for (const pod of found) {
      t.true(ready(pod), `${pod.metadata!.name} passes its probes`);
      t.is(pod.spec!.containers[0]!.image, `${prefix}/${imageName}:0.1.0`);
      t.regex(await podLog(kc, NS, pod.metadata!.name!), logLine, `${pod.metadata!.name}'s log is the real program's`);
    }
  };
  await expect("orchest-api", "orchest-gitops", undefined, /"controller":"imagebuild"/);
  await expect("node-agent", "orchest-gitops", real, /"msg":"node-agent started"/);
  await expect("buildkit-daemon", "buildkitd", ["c1", "c2", "c3"], /running server on/);
  await expect("docker-registry", "registry", undefined, /listening on/);

  // Every event of what follows goes to a webhook receiver on the host, as a platform team's would be outside.
  receiver = await startReceiver((_, request) => {
    try {
      new Webhook(webhookSecret).verify(request.body, request.headers as Record<string, string>);
      verified.push(true);
    } catch {
      verified.push(false);
    }
    return { status: 204 };
  }, new URL(cluster!.state().apiserver.url).hostname);
  webhookSecret = await createWebhook(client, NS, "host-receiver", receiver.url);
});

const PROJECT = "5e0c1f7a-3d2b-4a6c-8e9f-0a1b2c3d4e5f";

/** An ImageBuild of a one-file context; resolves with the build once it has finished. */
async function build(name: string, dockerfile: string, node: string) {
  await startBuild(name, dockerfile, node);
  return finished(name);
}

async function startBuild(name: string, dockerfile: string, node: string) {
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-context`, namespace: NS }, data: { Dockerfile: dockerfile } });
  await client.create({
    apiVersion: "orchest.io/v1alpha1",
    kind: "ImageBuild",
    metadata: { name, namespace: NS },
    spec: {
      image: `${name}:1`,
      purpose: "Environment",
      project: PROJECT,
      environment: `env-${name}`,
      context: { configMap: { name: `${name}-context` } },
      nodeSelector: { "kubernetes.io/hostname": node },
    },
  });
}

/** The build's status once it has finished. */
async function finished(name: string) {
  let last: Record<string, string> | undefined;
  try {
    return await eventually(`ImageBuild ${name} to finish`, async () => {
      const b = (await client.get({ apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild", namespace: NS, name })) as { status?: Record<string, string> } | undefined;
      last = b?.status;
      return last?.phase === "Succeeded" || last?.phase === "Failed" ? last : undefined;
    }, 300_000, 500);
  } catch (error) {
    throw new Error(`${(error as Error).message}; its status: ${JSON.stringify(last)}; ${await whereStuck(last?.podName)}`);
  }
}

/** A builder pod's phase, container states and Events, for a build that did not finish. */
async function whereStuck(podName: string | undefined): Promise<string> {
  if (!podName) return "no builder pod";
  const pod = await core().readNamespacedPod({ namespace: NS, name: podName }).catch(() => undefined);
  const states = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])].map((c) => `${c.name} ${JSON.stringify(c.state)}`);
  const events = (await core().listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${podName}` })).items.map((e) => `${e.reason}: ${e.message}`);
  return `pod ${podName} on ${pod?.spec?.nodeName ?? "no node"}, ${pod?.status?.phase ?? "gone"}; containers: ${states.join("; ")}; events: ${events.join(" | ")}`;
}

/** Every real node's ImageLocation of `image`, once all are Present. */
async function presentEverywhere(image: string) {
  return eventually(`${image} Present on every real node`, async () => {
    const list = (await client.list({ apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" }, { namespace: NS })).items as unknown as {
      spec: { image: string; node: string; digest?: string };
      status?: { phase?: string };
    }[];
    const mine = list.filter((l) => l.spec.image === image && real.includes(l.spec.node));
    return mine.length === real.length && mine.every((l) => l.status?.phase === "Present") ? mine : undefined;
  }, 300_000, 500);
}

const token = randomBytes(4).toString("hex");

test("a Dockerfile with a RUN step built on the docker node and on a containerd node: Succeeded with digests, Present on every real node, runnable without a pull", async (t) => {
  const base = cluster!.state().images!.busybox!;
  const docker = await build("docker-built", `FROM ${base}\nRUN echo "docker RUN ${token}" > /built.txt\nCMD ["cat", "/built.txt"]\n`, "d1");
  t.is(docker.phase, "Succeeded", docker.message);
  t.regex(docker.digest ?? "", /^sha256:[a-f0-9]{64}$/, "a docker build records its digest");
  const registry = docker.image!.slice(0, docker.image!.indexOf("/"));
  t.is(docker.image, `${registry}/docker-built:1`, "named under the in-cluster registry, not Docker Hub");
  const dockerLocations = await presentEverywhere(docker.image!);
  t.true(dockerLocations.every((l) => l.spec.digest === docker.digest), "the same digest on every node");

  // On containerd, FROM the docker-built image: buildkitd pulls it from the in-cluster registry (its CA trusted).
  const containerd = await build("containerd-built", `FROM ${docker.image}\nRUN echo "containerd RUN ${token}" >> /built.txt\n`, "c1");
  t.is(containerd.phase, "Succeeded", containerd.message);
  t.regex(containerd.digest ?? "", /^sha256:[a-f0-9]{64}$/);
  await presentEverywhere(containerd.image!);

  // A node that built neither runs the image by its tag without pulling: the agent put it there under that name.
  await core().createNamespacedPod({
    namespace: NS,
    body: { metadata: { name: "runs-built" }, spec: { nodeName: "c3", restartPolicy: "Never", containers: [{ name: "main", image: containerd.image!, imagePullPolicy: "Never" }] } },
  });
  await waitForPod(kc, NS, "runs-built", "Succeeded");
  t.is(await podLog(kc, NS, "runs-built"), `docker RUN ${token}\ncontainerd RUN ${token}\n`);
});

test("an image removed from a node's containerd by hand is pulled back while it is wanted", async (t) => {
  const image = await imageOf("containerd-built");
  const node = cluster!.realNode("c2")!;
  const ctr = (...args: string[]) => node.exec("ctr", "--address", "/run/containerd/containerd.sock", "-n", "k8s.io", ...args);
  const held = async () => (await ctr("images", "ls", "-q")).split("\n").includes(image);
  t.true(await held());
  await ctr("images", "rm", image);
  t.false(await held(), "gone from the node");
  await eventually("the image back on c2, under its tag", async () => (await held()) || undefined, 180_000, 500);
  t.true(await held());
});

async function imageOf(build: string): Promise<string> {
  const b = (await client.get({ apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild", namespace: NS, name: build })) as { status?: { image?: string } };
  return b.status!.image!;
}

test("a Dockerfile whose RUN step fails ends the build Failed with the builder's last lines, streamed to orchest build logs -f, and records nothing as built", async (t) => {
  await startBuild("fails", `FROM ${cluster!.state().images!.busybox!}\nRUN echo "about to fail ${token}" && exit 7\n`, "c2");
  // Followed from the start, as a user would (the api's pod address stands in for kubectl port-forward).
  const [api] = await pods("app.kubernetes.io/name=orchest-api");
  const logs = exec(process.execPath, [cliMain, "build", "logs", "fails", "-f", "--api", `http://${api!.status!.podIP}:8080`], { env: env() }).catch((error: { code: number; stdout: string; stderr: string }) => error);
  const failed = await finished("fails");
  const followed = (await logs) as { code?: number; stdout: string; stderr: string };
  t.is(followed.code, 1, "a failed build fails the command");
  t.regex(followed.stdout, new RegExp(`about to fail ${token}`), "the log as it happened");
  t.regex(followed.stderr, /build fails Failed \(BuildFailed/);
  t.is(failed.phase, "Failed");
  t.regex(failed.message ?? "", new RegExp(`about to fail ${token}`), "the reason carries the build's last log lines");
  const locations = (await client.list({ apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" }, { namespace: NS })).items as unknown as { spec: { image: string } }[];
  t.false(locations.some((l) => l.spec.image.endsWith("/fails:1")), "no ImageLocation for a failed build");
});

/** The real node of a pod, and its kubelet's word that the image was already there (no pull). */
async function ranWithoutPull(pod: V1Pod): Promise<boolean> {
  const events = (await core().listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${pod.metadata!.name!}` })).items;
  return events.some((e) => e.reason === "Pulled" && /already present on machine/.test(e.message ?? ""));
}

const podOf = async (name: string) => (await core().readNamespacedPod({ namespace: NS, name }));
const requiredNodes = (pod: V1Pod) =>
  pod.spec!.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.map((term) => term.matchFields![0]!.values![0]!) ?? [];

test("the examples: an environment built in the cluster, a project in the user directory, an interactive run whose second step prints what the first output, on nodes that hold the image", async (t) => {
  await applyExample("build.yaml");
  const environment = await finished("demo-environment-1");
  t.is(environment.phase, "Succeeded", environment.message);
  await presentEverywhere(environment.image!);
  await applyExample("project.yaml");
  await waitForPod(kc, NS, "demo-project-import", "Succeeded");
  t.regex(await podLog(kc, NS, "demo-project-import"), /imported pipeline\.orchest/);

  await applyExample("pipelinerun.yaml");
  const run = await eventually("demo-run-1 to finish", async () => {
    const r = (await client.get({ apiVersion: "orchest.io/v1alpha1", kind: "PipelineRun", namespace: NS, name: "demo-run-1" })) as { status?: { phase?: string; message?: string } } | undefined;
    return ["Succeeded", "Failed"].includes(r?.status?.phase ?? "") ? r!.status! : undefined;
  }, 240_000, 500);
  t.is(run.phase, "Succeeded", run.message);
  const load = await podOf("demo-run-1-load");
  const report = await podOf("demo-run-1-report");
  t.regex(await podLog(kc, NS, "demo-run-1-load"), /^load: step load of pipeline 3f0d6a5e-8b2c-4e71-9a4d-5c6b7e8f9a01 wrote 2 rows$/m, "the ORCHEST_* variables, seen by the step's code");
  t.is(await podLog(kc, NS, "demo-run-1-report"), "report: 2 rows from load (set up by the demo environment build), mean 11.875 C\n", "getInputs() read load's output through the pipeline file");
  for (const pod of [load, report]) {
    t.true(real.includes(pod.spec!.nodeName!) && requiredNodes(pod).includes(pod.spec!.nodeName!), `${pod.metadata!.name} on a holder: ${pod.spec!.nodeName}`);
    t.true(await ranWithoutPull(pod), `${pod.metadata!.name}: the image was already on ${pod.spec!.nodeName}`);
  }
});

test("the session example: the operator's api runs a Jupyter server from the release's jupyter-server image on a real node, on the demo project", async (t) => {
  await applyExample("session.yaml");
  const session = await eventually("the demo session to be Running", async () => {
    const s = (await client.get({ apiVersion: "orchest.io/v1alpha1", kind: "Session", namespace: NS, name: "demo" })) as { status?: { phase?: string } } | undefined;
    return s?.status?.phase === "Running" ? s : undefined;
  }, 240_000, 500);
  t.truthy(session);
  const [server] = await pods("app.kubernetes.io/name=jupyter-server");
  t.true(real.includes(server!.spec!.nodeName!), `on a real node: ${server!.spec!.nodeName}`);
  t.is(server!.spec!.containers[0]!.image, cluster!.state().images!["orchest-gitops"]!.replace(/\/orchest-gitops:([^@]+)@sha256:[a-f0-9]+$/, "/jupyter-server:$1"), "the release's jupyter-server image");
  const listing = await kubectl(["exec", "-n", NS, server!.metadata!.name!, "--", "python3", "-c", 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:8888/jupyter-server-demo/api/contents").read().decode())']);
  t.deepEqual((JSON.parse(listing) as { content: { name: string }[] }).content.map((item) => item.name).sort(), ["load.mjs", "pipeline.orchest", "report.mjs"]);
  await kubectl(["delete", "-n", NS, "session", "demo", "--wait=true"]);
});

test("a job run started while its image is only on the node that built it runs there", async (t) => {
  // c2's node-agent frozen (its container paused in c2's containerd): nothing pushes or spreads what c2 builds.
  const [agent] = (await pods("app.kubernetes.io/name=node-agent")).filter((p) => p.spec!.nodeName === "c2");
  const container = agent!.status!.containerStatuses![0]!.containerID!.replace(/^containerd:\/\//, "");
  const ctr = (...args: string[]) => cluster!.realNode("c2")!.exec("ctr", "--address", "/run/containerd/containerd.sock", "-n", "k8s.io", ...args);
  await ctr("tasks", "pause", container);
  let paused = true;
  const resume = async () => {
    if (paused) await ctr("tasks", "resume", container);
    paused = false;
  };
  t.teardown(resume);

  const held = await build("held-on-c2", `FROM ${cluster!.state().images!.busybox!}\nRUN echo "built on c2 ${token}" > /built.txt\n`, "c2");
  t.is(held.phase, "Succeeded", held.message);
  await client.create({
    apiVersion: "orchest.io/v1alpha1",
    kind: "PipelineRun",
    metadata: { name: "job-after-build", namespace: NS },
    spec: { mode: "Job", job: { uuid: "job-1", type: "OneOff" }, project: PROJECT, pipeline: { uuid: "pl-job", path: "job.orchest" }, steps: [{ uuid: "only", image: "held-on-c2:1", command: ["cat", "/built.txt"] }] },
  });
  const pod = await eventually("the job's step pod to be bound", async () => {
    const p = await podOf("job-after-build-only").catch(() => undefined);
    return p?.spec?.nodeName ? p : undefined;
  }, 60_000, 250);
  t.deepEqual(requiredNodes(pod), ["c2"], "constrained to the node that holds it while it is not in the registry");
  t.is(pod.spec!.nodeName, "c2");
  await waitForPod(kc, NS, "job-after-build-only", "Succeeded");
  t.is(await podLog(kc, NS, "job-after-build-only"), `built on c2 ${token}\n`);

  await resume();
  const locations = await presentEverywhere(held.image!);
  t.true(locations.find((l) => l.spec.node === "c2")!.status?.phase === "Present", "pushed and spread once c2's agent runs again");
});

test("deleting an ImageBuild removes its image from every real node", async (t) => {
  const image = await imageOf("held-on-c2");
  const held = async (node: string) =>
    node === "d1"
      ? (await cluster!.realNode(node)!.exec("docker", "-H", "unix:///var/run/docker.sock", "images", "--format", "{{.Repository}}:{{.Tag}}")).split("\n").includes(image)
      : (await cluster!.realNode(node)!.exec("ctr", "--address", "/run/containerd/containerd.sock", "-n", "k8s.io", "images", "ls", "-q")).split("\n").includes(image);
  for (const node of real) t.true(await held(node), `${node} holds ${image} before`);
  await client.delete({ apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild", namespace: NS, name: "held-on-c2" });
  for (const node of real) {
    await eventually(`${image} gone from ${node}`, async () => ((await held(node)) ? undefined : true), 120_000, 500).catch(() => undefined);
    t.false(await held(node), `${node} no longer holds it`);
  }
  const left = (await client.list({ apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" }, { namespace: NS })).items as unknown as { spec: { image: string } }[];
  t.false(left.some((l) => l.spec.image === image), "no ImageLocation of it left");
});

/** Every Deployment's fewest available replicas, from a watch, for those that had some when it began. */
async function watchAvailability(): Promise<{ stop(): Map<string, number> }> {
  const lowest = new Map<string, number>();
  const informer = new Informer(client, { apiVersion: "apps/v1", kind: "Deployment" }, { namespace: NS });
  const note = (obj: KubeObject) => {
    const name = obj.metadata.name!;
    const available = (obj.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0;
    if (lowest.has(name)) lowest.set(name, Math.min(lowest.get(name)!, available));
  };
  informer.addHandler({ onAdd: note, onUpdate: (_old, obj) => note(obj) });
  for (const d of (await client.list({ apiVersion: "apps/v1", kind: "Deployment" }, { namespace: NS })).items) {
    const available = (d.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0;
    if (available > 0) lowest.set(d.metadata.name!, available);
  }
  informer.start();
  await informer.waitForSync();
  return {
    stop() {
      void informer.stop();
      return lowest;
    },
  };
}

test("orchest update rolls the platform with no Deployment at 0 available; the api replaced mid-build and mid-delivery loses neither", async (t) => {
  // A second receiver, which holds what it gets until released: the delivery is in flight when the api goes.
  let holding = true;
  const held = await startReceiver(() => (holding ? "hold" : { status: 204 }), new URL(cluster!.state().apiserver.url).hostname);
  t.teardown(() => held.close());
  await createWebhook(client, NS, "held-receiver", held.url, { eventTypes: ["project:environment:image-build:*"] });
  await eventually("the api to see its new Subscriber", async () => {
    const s = await client.get({ apiVersion: "orchest.io/v1alpha1", kind: "Subscriber", namespace: NS, name: "held-receiver" });
    return s ? true : undefined;
  });
  const [apiBefore] = await pods("app.kubernetes.io/name=orchest-api");
  await startBuild("during-update", `FROM ${cluster!.state().images!.busybox!}\nRUN sleep 20 && echo "built across the update ${token}" > /built.txt\n`, "c3");
  await eventually("the build's created event held by the receiver", () => held.inFlight > 0 || undefined, 120_000, 250);

  const availability = await watchAvailability();
  const updated = await exec(process.execPath, [cliMain, "update", "cluster-1", "-n", NS, "--version", "v2022.11.1", "--wait", "--timeout", "10m"], { env: env() });
  const lowest = availability.stop();
  t.regex(updated.stdout + updated.stderr, /v2022\.11\.1/);
  t.true(lowest.size > 0);
  for (const [name, fewest] of lowest) t.true(fewest >= 1, `${name}: ${fewest} available at the fewest`);
  const [apiAfter] = await pods("app.kubernetes.io/name=orchest-api");
  t.not(apiAfter!.metadata!.uid, apiBefore!.metadata!.uid, "the api pod was replaced");
  t.true(ready(apiAfter!) && real.includes(apiAfter!.spec!.nodeName!));

  holding = false;
  held.releaseHeld();
  // Attempts cut off by the api's replacement (or timed out against the held receiver, by the old api or the new one)
  // wait their retry (Svix's schedule: 5 s, then 5 min): the receiver is back, so, as an operator would, ask for
  // those waiting. None was lost: each is still there to be asked for.
  let retryRequests = 0;
  const retryWaiting = async () => {
    const deliveries = (await client.list({ apiVersion: "orchest.io/v1alpha1", kind: "EventDelivery" }, { namespace: NS })).items;
    for (const delivery of deliveries) {
      const spec = delivery.spec as { subscriber: { name: string } };
      const status = delivery.status as { phase?: string } | undefined;
      if (spec.subscriber.name !== "held-receiver" || status?.phase !== "Retrying") continue;
      const request = `after-update-${++retryRequests}`;
      await client.patch({ apiVersion: "orchest.io/v1alpha1", kind: "EventDelivery", namespace: NS, name: delivery.metadata.name! }, { metadata: { annotations: { "orchest.io/retry": request } } }, "merge").catch(() => undefined);
    }
  };
  await retryWaiting();
  const build = await finished("during-update");
  t.is(build.phase, "Succeeded", build.message);
  const types = () => held.received.map((r) => r.headers["x-orchest-event"] as string);
  const allArrived = () => ["created", "started", "succeeded"].every((tr) => types().includes(`project:environment:image-build:${tr}`));
  await eventually("every event of the build at the held receiver", async () => allArrived() || (await retryWaiting(), undefined), 120_000, 2000).catch(() => undefined);
  t.deepEqual([...new Set(types())].sort(), ["created", "started", "succeeded"].map((tr) => `project:environment:image-build:${tr}`).sort());
  await presentEverywhere(build.image!);
});

test("orchest restart replaces every node-agent while an image is spreading: it still reaches every real node", async (t) => {
  const agentsBefore = new Set((await pods("app.kubernetes.io/name=node-agent")).map((p) => p.metadata!.uid));
  const spread = await build("across-restart", `FROM ${cluster!.state().images!.busybox!}\nRUN echo "spread across a restart ${token}" > /built.txt\n`, "c1");
  t.is(spread.phase, "Succeeded", spread.message);
  await exec(process.execPath, [cliMain, "restart", "cluster-1", "-n", NS], { env: env() });
  const agentsAfter = await eventually("every node-agent replaced and ready", async () => {
    const agents = (await pods("app.kubernetes.io/name=node-agent")).filter((p) => real.includes(p.spec!.nodeName!));
    return agents.length === real.length && agents.every((p) => !agentsBefore.has(p.metadata!.uid) && ready(p)) ? agents : undefined;
  }, 240_000, 1000);
  t.deepEqual(agentsAfter.map((p) => p.spec!.nodeName).sort(), [...real].sort());
  const locations = await presentEverywhere(spread.image!);
  t.true(locations.every((l) => l.spec.digest === spread.digest));
});

test("the events of the builds, the runs and the session reached the webhook receiver on the host, signed", async (t) => {
  const wanted = [
    "project:environment:image-build:succeeded",
    "project:environment:image-build:failed",
    "project:pipeline:interactive-session:pipeline-run:succeeded",
    "project:one-off-job:pipeline-run:succeeded",
    "project:pipeline:interactive-session:started",
    "project:pipeline:interactive-session:succeeded",
    "project:pipeline:interactive-session:stopped",
  ];
  const types = () => new Set(receiver.received.map((r) => r.headers["x-orchest-event"] as string));
  await eventually("the deliveries to arrive", () => wanted.every((type) => types().has(type)) || undefined, 120_000, 500).catch(() => undefined);
  t.deepEqual(wanted.filter((type) => !types().has(type)), [], `received: ${[...types()].sort().join(", ")}`);
  t.is(verified.length, receiver.received.length);
  t.true(verified.every(Boolean), "each signed with the Subscriber's secret, as its receiver checked on arrival");
});
