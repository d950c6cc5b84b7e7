// The test bed's real nodes: every check here is of what a container really did (its log, its exit code, what
// it reached), on kubelets that ran it. The images are this project's, built on this machine and pulled by the
// kubelets from the test bed's registry.
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, RbacAuthorizationV1Api, type V1Container, type V1Volume, type V1VolumeMount } from "@kubernetes/client-node";
import anyTest, { type TestFn } from "ava";
import { randomBytes } from "node:crypto";
import { ensureBinaries } from "./binaries.js";
import { run } from "./command.js";
import { createTestNamespace, eventually, useTestbed, type Testbed } from "./index.js";
import { podLog, realNodesHere, runPodOn, TOLERATE_REAL_NODES, waitForPod } from "./pods.js";
import { REAL_NODE_LABEL } from "./real-node.js";

// Registered as skipped where the run has no real nodes with the project's images (an existing cluster).
const test = (realNodesHere() ? anyTest : anyTest.skip) as TestFn;

async function setup(prefix: string) {
  const tb = await useTestbed();
  const ns = await createTestNamespace(tb.kubeConfig, prefix);
  const real = tb.nodes.filter((n) => n.real);
  const containerd = real.filter((n) => n.runtime === "containerd");
  const docker = real.filter((n) => n.runtime === "docker");
  return { tb, ns, real, containerd, docker, image: (name: string) => tb.images[name]! };
}

const busybox = (tb: Testbed) => tb.images.busybox!;

test("a container runs on every real node and kubectl logs returns what it printed", async (t) => {
  const { tb, ns, real } = await setup("real-run");
  t.true(real.some((n) => n.runtime === "containerd") && real.some((n) => n.runtime === "docker"), "both runtimes");
  const core = tb.kubeConfig.makeApiClient(CoreV1Api);
  await Promise.all(
    real.map(async (node, i) => {
      const name = `hello-${i}`;
      const command = ["sh", "-c", 'echo "hello from $(hostname) as $(id -u)"; exit 3'];
      await core.createNamespacedPod({ namespace: ns, body: { metadata: { name }, spec: { nodeName: node.name, restartPolicy: "Never", containers: [{ name: "main", image: busybox(tb), command }] } } });
      const done = await eventually(`${name} to exit`, async () => (await core.readNamespacedPod({ name, namespace: ns })).status?.containerStatuses?.[0]?.state?.terminated, 120_000);
      t.is(done.exitCode, 3, `the container's own exit code on ${node.name}`);
      t.is(await podLog(tb.kubeConfig, ns, name), `hello from ${name} as 0\n`, `its log, from ${node.name}'s kubelet`);
    }),
  );
});

test("a DaemonSet has a Running pod on every real node", async (t) => {
  const { tb, ns, real } = await setup("real-ds");
  const labels = { app: "every-node" };
  await tb.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDaemonSet({
    namespace: ns,
    body: {
      metadata: { name: "every-node" },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { [REAL_NODE_LABEL]: "true" },
            tolerations: [TOLERATE_REAL_NODES],
            containers: [{ name: "main", image: busybox(tb), command: ["sh", "-c", "echo running on $NODE; exec sleep 3600"], env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }] }],
            terminationGracePeriodSeconds: 1,
          },
        },
      },
    },
  });
  const pods = await eventually("a Running pod per real node", async () => {
    const list = (await tb.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns })).items;
    const running = list.filter((p) => p.status?.phase === "Running" && p.status.containerStatuses?.[0]?.ready);
    return running.length === real.length ? running : undefined;
  }, 120_000);
  t.deepEqual(pods.map((p) => p.spec!.nodeName).sort(), real.map((n) => n.name).sort());
  for (const pod of pods) t.is(await podLog(tb.kubeConfig, ns, pod.metadata!.name!), `running on ${pod.spec!.nodeName}\n`);
});

test("a pod reaches the apiserver through the kubernetes Service with its service account token", async (t) => {
  const { tb, ns, containerd, image } = await setup("real-api");
  // The pod lists the pods of its own namespace: that takes the token, the CA and the Service.
  await tb.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: "reader" } } });
  const rbac = { apiGroup: "rbac.authorization.k8s.io" };
  const rbacApi = tb.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbacApi.createNamespacedRole({ namespace: ns, body: { metadata: { name: "reader" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }] } });
  await rbacApi.createNamespacedRoleBinding({
    namespace: ns,
    body: { metadata: { name: "reader" }, roleRef: { ...rbac, kind: "Role", name: "reader" }, subjects: [{ kind: "ServiceAccount", name: "reader", namespace: ns }] },
  });
  const script = `
    const fs = require("node:fs"), https = require("node:https");
    const sa = "/var/run/secrets/kubernetes.io/serviceaccount/";
    const options = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, path: "/api/v1/namespaces/${ns}/pods",
      ca: fs.readFileSync(sa + "ca.crt"), headers: { authorization: "Bearer " + fs.readFileSync(sa + "token", "utf8") } };
    https.get(options, (res) => { let body = ""; res.on("data", (c) => (body += c));
      res.on("end", () => console.log(res.statusCode, process.env.KUBERNETES_SERVICE_HOST, JSON.parse(body).items.map((p) => p.metadata.name).join(","))); })
      .on("error", (e) => { console.error(e.message); process.exit(1); });`;
  await runPodOn(tb.kubeConfig, ns, containerd[0]!.name, "lister", { serviceAccountName: "reader", containers: [{ name: "main", image: image("orchest-gitops"), command: ["node", "-e", script] }] });
  const service = await tb.kubeConfig.makeApiClient(CoreV1Api).readNamespacedService({ name: "kubernetes", namespace: "default" });
  t.is(await podLog(tb.kubeConfig, ns, "lister"), `200 ${service.spec!.clusterIP} lister\n`);
});

test("a pod on one node reaches a Service backed by a pod on another", async (t) => {
  const { tb, ns, containerd, docker } = await setup("real-svc");
  const token = randomBytes(8).toString("hex");
  const core = tb.kubeConfig.makeApiClient(CoreV1Api);
  // The server on the docker node, the client on a containerd node: across nodes and across runtimes.
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name: "server", labels: { app: "server" } },
      spec: {
        nodeName: docker[0]!.name,
        containers: [{ name: "main", image: busybox(tb), command: ["sh", "-c", `mkdir /www && echo ${token} > /www/token && exec httpd -f -p 8080 -h /www`], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }],
      },
    },
  });
  await core.createNamespacedService({ namespace: ns, body: { metadata: { name: "server" }, spec: { selector: { app: "server" }, ports: [{ port: 80, targetPort: 8080 }] } } });
  await waitForPod(tb.kubeConfig, ns, "server", "Running");
  const clusterIP = (await core.readNamespacedService({ name: "server", namespace: ns })).spec!.clusterIP!;
  await eventually("the Service's endpoints", async () => {
    const slices = await tb.kubeConfig.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: ns, labelSelector: "kubernetes.io/service-name=server" });
    return slices.items.some((s) => s.endpoints?.some((e) => e.conditions?.ready)) || undefined;
  });
  await runPodOn(tb.kubeConfig, ns, containerd[0]!.name, "client", { containers: [{ name: "main", image: busybox(tb), command: ["wget", "-q", "-O", "-", `http://${clusterIP}/token`] }] });
  t.is(await podLog(tb.kubeConfig, ns, "client"), `${token}\n`);
});

test("a pod whose image is only in the test bed's registry is pulled by the node's kubelet", async (t) => {
  const { tb, ns, containerd } = await setup("real-pull");
  const node = containerd[1] ?? containerd[0]!;
  const ctr = (...args: string[]) => run("ctr", ["--address", node.containerd!.socket, "--namespace", "k8s.io", ...args]);
  // A tag nobody pulled before, pushed to the registry only.
  const tag = `pull-${randomBytes(4).toString("hex")}`;
  const reference = tb.images.busybox!.replace(/:[^:@/]+@sha256:[a-f0-9]+$/, `:${tag}`);
  const crane = (await ensureBinaries(() => undefined)).crane!;
  await run(crane, ["copy", "--insecure", tb.images.busybox!, reference]);
  t.false((await ctr("images", "ls", "-q")).split("\n").includes(reference), "not on the node before");
  await runPodOn(tb.kubeConfig, ns, node.name, "pulled", { containers: [{ name: "main", image: reference, imagePullPolicy: "Always", command: ["echo", "pulled"] }] });
  t.is(await podLog(tb.kubeConfig, ns, "pulled"), "pulled\n");
  t.true((await ctr("images", "ls", "-q")).split("\n").includes(reference), "on the node after");
});

test("the project's image runs orchest-operator, orchest-api and orchest-agent as pods on a real node", async (t) => {
  const { tb, ns, containerd, image } = await setup("real-help");
  for (const command of ["orchest-operator", "orchest-api", "orchest-agent"]) {
    await runPodOn(tb.kubeConfig, ns, containerd[0]!.name, command, { containers: [{ name: "main", image: image("orchest-gitops"), command: [command, "--help"] }] });
    const log = await podLog(tb.kubeConfig, ns, command);
    t.regex(log, /^usage: /m, `${command} --help printed its usage`);
    const pod = await tb.kubeConfig.makeApiClient(CoreV1Api).readNamespacedPod({ name: command, namespace: ns });
    t.is(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  }
});

/** A Dockerfile whose RUN step leaves a file that the built image's command prints. */
function dockerfile(base: string, token: string): Record<string, string> {
  return { Dockerfile: `FROM ${base}\nRUN echo "built by a RUN step: ${token}" > /built.txt && chmod 644 /built.txt\nCMD ["cat", "/built.txt"]\n` };
}

const contextVolume = (name: string): { volume: V1Volume; mount: V1VolumeMount } => ({
  volume: { name: "context", configMap: { name } },
  mount: { name: "context", mountPath: "/context", readOnly: true },
});

test("a Dockerfile with a RUN step is built by the docker node's dockerd, and the image runs there", async (t) => {
  const { tb, ns, docker, image } = await setup("real-docker-build");
  const token = randomBytes(6).toString("hex");
  await tb.kubeConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "context" }, data: dockerfile(busybox(tb), token) } });
  const context = contextVolume("context");
  const built = `smoke/docker-built:${token}`;
  const builder: V1Container = {
    name: "docker",
    image: image("builder-docker"),
    args: ["build", "--tag", built, "/context"],
    volumeMounts: [context.mount, { name: "docker", mountPath: "/var/run/docker.sock" }],
  };
  await runPodOn(tb.kubeConfig, ns, docker[0]!.name, "build", {
    containers: [builder],
    volumes: [context.volume, { name: "docker", hostPath: { path: "/run/docker.sock", type: "Socket" } }],
  });
  t.regex(await podLog(tb.kubeConfig, ns, "build"), /Successfully tagged smoke\/docker-built/);
  await runPodOn(tb.kubeConfig, ns, docker[0]!.name, "built", { containers: [{ name: "main", image: built, imagePullPolicy: "Never" }] });
  t.is(await podLog(tb.kubeConfig, ns, "built"), `built by a RUN step: ${token}\n`);
});

test("a Dockerfile with a RUN step is built by a buildkitd pod into the node's containerd, and the image runs there", async (t) => {
  const { tb, ns, containerd, image } = await setup("real-buildkit");
  const node = containerd[0]!.name;
  const token = randomBytes(6).toString("hex");
  const core = tb.kubeConfig.makeApiClient(CoreV1Api);
  // Folders of this test's own: the platform's buildkit-daemon may run on the same node.
  const socketDir = `/run/smoke-buildkit-${token}`;
  const root = `/var/lib/smoke-buildkit-${token}`;
  t.teardown(() => core.deleteNamespacedPod({ name: "buildkitd", namespace: ns, gracePeriodSeconds: 0 }));
  const registryHost = tb.registry!.host;
  await core.createNamespacedConfigMap({
    namespace: ns,
    body: {
      metadata: { name: "buildkitd" },
      // The base image comes from the test bed's registry, which speaks plain HTTP.
      data: { "buildkitd.toml": `[worker.oci]\n  enabled = false\n[worker.containerd]\n  enabled = true\n  namespace = "k8s.io"\n[registry."${registryHost}"]\n  http = true\n` },
    },
  });
  const host = (name: string, path: string) => ({ name, hostPath: { path, type: "DirectoryOrCreate" } });
  // As synth's buildkit-daemon: privileged, the node's containerd as worker, the socket in a host folder.
  await runPodOn(
    tb.kubeConfig,
    ns,
    node,
    "buildkitd",
    {
      containers: [
        {
          name: "buildkitd",
          image: image("buildkitd"),
          args: [`--addr=unix://${socketDir}/buildkitd.sock`, `--root=${root}`, "--config=/etc/buildkit-test/buildkitd.toml", "--containerd-worker-addr=/run/containerd/containerd.sock"],
          securityContext: { privileged: true },
          readinessProbe: { exec: { command: ["buildctl", "--addr", `unix://${socketDir}/buildkitd.sock`, "debug", "workers"] }, periodSeconds: 1 },
          volumeMounts: [
            { name: "run-containerd", mountPath: "/run/containerd" },
            { name: "var-lib-containerd", mountPath: "/var/lib/containerd" },
            { name: "socket", mountPath: socketDir },
            // buildkitd binds its own sockets from here into RUN containers, which the node's runc creates.
            { name: "run-buildkit", mountPath: "/run/buildkit" },
            { name: "state", mountPath: root, mountPropagation: "Bidirectional" },
            { name: "config", mountPath: "/etc/buildkit-test" },
          ],
        },
      ],
      volumes: [
        host("run-containerd", "/run/containerd"),
        host("var-lib-containerd", "/var/lib/containerd"),
        host("socket", socketDir),
        host("run-buildkit", "/run/buildkit"),
        host("state", root),
        { name: "config", configMap: { name: "buildkitd" } },
      ],
    },
    "Running",
  );
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "context" }, data: dockerfile(busybox(tb), token) } });
  const context = contextVolume("context");
  const built = `docker.io/smoke/buildkit-built:${token}`;
  await runPodOn(tb.kubeConfig, ns, node, "build", {
    containers: [
      {
        name: "buildctl",
        image: image("builder-buildctl"),
        args: [
          "--addr", `unix://${socketDir}/buildkitd.sock`, "build", "--progress=plain", "--frontend", "dockerfile.v0",
          "--local", "context=/context", "--local", "dockerfile=/context", "--output", `type=image,name=${built},unpack=true`,
        ],
        volumeMounts: [context.mount, { name: "socket", mountPath: socketDir }],
      },
    ],
    volumes: [context.volume, host("socket", socketDir)],
  });
  t.regex(await podLog(tb.kubeConfig, ns, "build"), /RUN echo "built by a RUN step/);
  await runPodOn(tb.kubeConfig, ns, node, "built", { containers: [{ name: "main", image: built, imagePullPolicy: "Never" }] });
  t.is(await podLog(tb.kubeConfig, ns, "built"), `built by a RUN step: ${token}\n`);
});
