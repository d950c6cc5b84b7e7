// `orchest build logs` as a real process against the api's build side on loopback, on the test bed.
import test from "ava";
import { mkdtempSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImageBuild } from "../crds/types/index.js";
import { installCrds } from "../operator/install.js";
import { KubeClient, type KubeObject } from "../reconcilers/index.js";
import { waitFor } from "../reconcilers/testing.js";
import { addNodePool, type NodePool } from "../api/scheduling/node-pool.js";
import { IMAGE_BUILD } from "../api/builds/reconciler.js";
import { completePod, startBuildsApi, type BuildsApi } from "../api/builds/testing.js";
import { createTestNamespace, simulatePodLog, useTestbed, withoutTestbed, type SimulatedPodLog, type Testbed } from "../testbed/index.js";
import { eventually, orchest, startOrchest } from "./testing.js";

// Tests that need the test bed's own parts: on an existing cluster they are registered as skipped, never reported as passed.
const onTestbed: typeof test.skip = withoutTestbed() ? test.skip : test;

let tb: Testbed;
let ns: string;
let pool: NodePool;
let client: KubeClient;
let api: BuildsApi;

test.before(async () => {
  tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  ns = await createTestNamespace(tb.kubeConfig, "cli-build-logs");
  pool = await addNodePool(tb.kubeConfig, ns, ["docker"]);
  client = new KubeClient(tb.kubeConfig);
  api = await startBuildsApi(tb.kubeConfig, ns);
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "context", namespace: ns }, data: { Dockerfile: "FROM scratch\n" } });
});

test.after.always(async () => {
  await api?.close();
  client?.close();
});

/** Starts build `name` on the docker node and resolves with its builder pod once the build is Building. */
async function building(name: string): Promise<string> {
  await client.create({ ...IMAGE_BUILD, metadata: { name, namespace: ns }, spec: { image: `orchest-env-${name}:1`, purpose: "Environment", runtime: "docker", context: { configMap: { name: "context" } }, nodeSelector: pool.selector } } as KubeObject);
  let pod = "";
  await waitFor(`build ${name} to be Building`, async () => {
    const build = (await client.get({ ...IMAGE_BUILD, namespace: ns, name })) as unknown as ImageBuild;
    pod = build.status?.podName ?? "";
    return build.status?.phase === "Building";
  }, 30_000, 100);
  return pod;
}

const simulatedLog = (pod: string): Promise<SimulatedPodLog> => simulatePodLog(tb.kubeConfig, ns, pod, join(mkdtempSync(join(tmpdir(), "cli-build-log-")), `${pod}.log`));

onTestbed("build logs -f prints the builder's lines as they are written and exits 0 when the build succeeds", async (t) => {
  const pod = await building("follow");
  const log = await simulatedLog(pod);
  log.write("#1 load build definition");

  const cli = startOrchest("build", "logs", "follow", "-f", "--api", api.url);
  await eventually("the first line", () => cli.stdoutSoFar().includes("#1"), 15_000);
  log.write("#2 exporting to image");
  await eventually("the second line", () => cli.stdoutSoFar().includes("#2"), 15_000);
  await completePod(client, ns, pod, 0);
  const { code, stdout, stderr } = await cli.done;
  t.is(code, 0, stderr);
  t.is(stdout, "#1 load build definition\n#2 exporting to image\n");
  t.regex(stderr, /build follow Succeeded \(Built/);
});

onTestbed("build logs without -f prints the log so far and exits 0 while the build still runs", async (t) => {
  const pod = await building("snapshot");
  const log = await simulatedLog(pod);
  log.write("#1 load build definition");
  log.write("#2 resolve image config");
  const { code, stdout, stderr } = await orchest("build", "logs", "snapshot", "--api", api.url);
  t.is(code, 0, stderr);
  t.is(stdout, "#1 load build definition\n#2 resolve image config\n");
  t.regex(stderr, /build snapshot Building/);
  await completePod(client, ns, pod, 0);
});

test("build logs exits 1 with the reason when the build failed, and 1 for a build that does not exist", async (t) => {
  const pod = await building("broken");
  await completePod(client, ns, pod, 2);
  await waitFor("the build to fail", async () => ((await client.get({ ...IMAGE_BUILD, namespace: ns, name: "broken" })) as unknown as ImageBuild).status?.phase === "Failed", 30_000, 100);
  const failed = await orchest("build", "logs", "broken", "-f", "--api", api.url);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /build broken Failed \(BuildFailed: .*exited with code 2/);

  const missing = await orchest("build", "logs", "nope", "--api", api.url);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no ImageBuild .*\/nope/);
});

/** A loopback TCP relay to `port` that can cut every connection, and records what clients sent. */
async function relayTo(port: number) {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server = createServer((downstream) => {
    const upstream = createConnection(port, "127.0.0.1");
    downstream.on("data", (chunk: Buffer) => requests.push(chunk.toString("latin1")));
    downstream.pipe(upstream).pipe(downstream);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket)).on("error", () => {});
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    cut: () => sockets.forEach((socket) => socket.destroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

onTestbed("build logs -f resumes after a dropped connection from the last line it printed (Last-Event-ID)", async (t) => {
  const pod = await building("resume");
  const log = await simulatedLog(pod);
  const relay = await relayTo(api.port);
  try {
    log.write("before the drop");
    const cli = startOrchest("build", "logs", "resume", "-f", "--api", relay.url);
    await eventually("the first line", () => cli.stdoutSoFar().includes("before the drop"), 15_000);
    relay.cut();
    log.write("after the drop");
    await eventually("the reconnection", () => relay.requests.length === 2, 15_000);
    await eventually("the line written during the drop", () => cli.stdoutSoFar().includes("after the drop"), 15_000);
    await completePod(client, ns, pod, 0);
    const { code, stdout, stderr } = await cli.done;
    t.is(code, 0, stderr);
    t.is(stdout, "before the drop\nafter the drop\n", "no line lost or repeated");
    t.regex(stderr, /reconnecting/);
    t.regex(relay.requests[1]!, /^last-event-id: 1\r$/im);
  } finally {
    relay.cut();
    await relay.close();
  }
});
