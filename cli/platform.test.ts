// The platform from nothing, on real nodes: helm install of the chart (the operator pod from the project image
// the test bed pushed), the OrchestCluster rolled out by that operator, and image builds on docker and on
// containerd that end with the image Present on every real node. Every check is of what real containers did.
// A private cluster: three containerd and one docker real node, two simulated ones for Orchest's Python components.
import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import anyTest, { type TestFn } from "ava";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KubeClient } from "../reconcilers/index.js";
import { ensureBinaries } from "../testbed/binaries.js";
import { Cluster, eventually } from "../testbed/index.js";
import { podLog, realNodesHere, waitForPod } from "../testbed/pods.js";
import { REAL_NODE_LABEL } from "../testbed/real-node.js";

const test = (realNodesHere() ? anyTest.serial : anyTest.serial.skip) as TestFn;
const exec = promisify(execFile);
const cliMain = fileURLToPath(new URL("./main.js", import.meta.url));
const example = fileURLToPath(new URL("../../examples/orchestcluster-testbed.yaml", import.meta.url));
const NS = "orchest";

let cluster: Cluster | undefined;
let kc: KubeConfig;
let client: KubeClient;
const real = ["c1", "c2", "c3", "d1"];

anyTest.before(async () => {
  if (!realNodesHere()) return;
  cluster = await Cluster.start({
    nodes: [
      { name: "sim-1", runtime: "containerd" },
      { name: "sim-2", runtime: "containerd" },
    ],
    containerd: false,
    realNodes: [
      { name: "c1", runtime: "containerd" },
      { name: "c2", runtime: "containerd" },
      { name: "c3", runtime: "containerd" },
      { name: "d1", runtime: "docker" },
    ],
    taintRealNodes: false,
  });
  kc = cluster.kubeConfig();
  client = new KubeClient(kc);
});

anyTest.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const core = () => kc.makeApiClient(CoreV1Api);
const pods = async (selector: string): Promise<V1Pod[]> => (await core().listNamespacedPod({ namespace: NS, labelSelector: selector })).items;
const ready = (pod: V1Pod) => pod.status?.phase === "Running" && (pod.status.containerStatuses ?? []).every((c) => c.ready);

test("helm install of the chart: the operator pod on a real node rolls the cluster out, this project's programs Running on real nodes", async (t) => {
  const binaries = await ensureBinaries(() => undefined);
  const env = { ...process.env, KUBECONFIG: cluster!.kubeconfig, PATH: [...new Set(Object.values(binaries).map((b) => dirname(b))), process.env.PATH].join(":") };
  const image = cluster!.state().images!["orchest-gitops"]!;
  const installed = await exec(process.execPath, [cliMain, "install", "--helm", "--image", image, "--node-selector", `${REAL_NODE_LABEL}=true`, "-f", example, "--timeout", "10m"], { env });
  t.regex(installed.stdout, /Orchest is Ready/);

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
});

/** An ImageBuild of a one-file context; resolves with the build once it has finished. */
async function build(name: string, dockerfile: string, node: string) {
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-context`, namespace: NS }, data: { Dockerfile: dockerfile } });
  await client.create({
    apiVersion: "orchest.io/v1alpha1",
    kind: "ImageBuild",
    metadata: { name, namespace: NS },
    spec: { image: `${name}:1`, purpose: "Environment", context: { configMap: { name: `${name}-context` } }, nodeSelector: { "kubernetes.io/hostname": node } },
  });
  return eventually(`ImageBuild ${name} to finish`, async () => {
    const b = (await client.get({ apiVersion: "orchest.io/v1alpha1", kind: "ImageBuild", namespace: NS, name })) as { status?: Record<string, string> } | undefined;
    return b?.status?.phase === "Succeeded" || b?.status?.phase === "Failed" ? b.status : undefined;
  }, 300_000, 500);
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

test("a Dockerfile whose RUN step fails ends the build Failed with the builder's last lines, and records nothing as built", async (t) => {
  const failed = await build("fails", `FROM ${cluster!.state().images!.busybox!}\nRUN echo "about to fail ${token}" && exit 7\n`, "c2");
  t.is(failed.phase, "Failed");
  t.regex(failed.message ?? "", new RegExp(`about to fail ${token}`), "the reason carries the build's last log lines");
  const locations = (await client.list({ apiVersion: "orchest.io/v1alpha1", kind: "ImageLocation" }, { namespace: NS })).items as unknown as { spec: { image: string } }[];
  t.false(locations.some((l) => l.spec.image.endsWith("/fails:1")), "no ImageLocation for a failed build");
});
