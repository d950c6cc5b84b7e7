import { CoreV1Api } from "@kubernetes/client-node";
import anyTest, { type TestFn } from "ava";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImageLocation } from "../crds/types/index.js";
import { installCrds } from "../operator/install.js";
import { Informer, KubeClient, type KubeObject } from "../reconcilers/index.js";
import { addSimulatedNode, Containerd, createTestNamespace, eventually, useTestbed, type Testbed } from "../testbed/index.js";
import { freePort } from "../testbed/ports.js";
import { type ManagedProcess } from "../testbed/process.js";
import { BUILT_LABEL, BUILT_VALUE, IMAGE_LOCATION } from "./location-identity.js";
import { RegistryClient } from "./registry/client.js";
import { uploadForeignPlatformImage } from "./registry/testing.js";
import { ContainerdDriver } from "./runtime/containerd-driver.js";
import { startAgentProcess } from "./testing/agent-process.js";
import { placeBuiltImage, trustPlainRegistry } from "./testing/built-image.js";
import { ThrottledProxy } from "./testing/throttled-proxy.js";
import { PREPULL_ANNOTATION } from "./wanted.js";

// One node-agent process per test-bed node, each on its node's real containerd, against the real registry.
// The tests run in order on one namespace: an image is built, spreads, is evicted, reaches a new node, is dropped.

interface Context {
  tb: Testbed;
  ns: string;
  client: KubeClient;
  nodes: { name: string; socket: string; hostsDir: string }[];
  agents: ManagedProcess[];
  /** Each agent's /metrics, in the order of `nodes`. */
  metrics: string[];
  watch: Informer;
  /** Phases each ImageLocation went through, in order, as the watch saw them. */
  history: Map<string, string[]>;
  /** Sources each ImageLocation recorded while Pulling (status.pullingFrom), in order, as the watch saw them. */
  sources: Map<string, string[]>;
  /** Set by the first test for the next ones: ava hands each test a shallow copy of the context. */
  spread: { image?: { reference: string; digest: string; size: number } };
}

const test = anyTest as TestFn<Context>;
const kubectl = (tb: Testbed, ...args: string[]) => execFileSync("kubectl", ["--kubeconfig", tb.kubeconfigPath, ...args], { encoding: "utf8" });


const locationsOf = (watch: Informer, ns: string) => watch.list(ns) as unknown as ImageLocation[];
const of = (watch: Informer, ns: string, digest: string) => locationsOf(watch, ns).filter((l) => l.spec.digest === digest);

/** A fresh image in node `i`'s containerd, recorded as built there. */
function buildOn(ctx: Context, nodeIndex: number, name: string, bytes: number, registryHost = ctx.tb.registry!.host, namespace = ctx.ns) {
  const node = ctx.nodes[nodeIndex]!;
  return placeBuiltImage(ctx.client, { namespace, node: node.name, socket: node.socket, registryHost }, name, bytes);
}

function presentEverywhere(ctx: Context, digest: string, nodes: readonly string[], ns = ctx.ns) {
  const found = of(ctx.watch, ns, digest);
  const present = nodes.every((node) => found.some((l) => l.spec.node === node && l.status?.phase === "Present"));
  return present ? found : undefined;
}

test.before(async (t) => {
  const tb = await useTestbed();
  installCrds(tb.kubeconfigPath);
  const ns = await createTestNamespace(tb.kubeConfig, "agent");
  const client = new KubeClient(tb.kubeConfig);
  const nodes = tb.nodes.filter((n) => n.containerd).map((n) => ({ name: n.name, ...n.containerd! }));
  const history = new Map<string, string[]>();
  const sources = new Map<string, string[]>();
  const watch = new Informer(client, IMAGE_LOCATION, { namespace: ns });
  const record = (obj: KubeObject) => {
    const phase = (obj as unknown as ImageLocation).status?.phase;
    const seen = history.get(obj.metadata.name!) ?? [];
    if (phase && seen.at(-1) !== phase) history.set(obj.metadata.name!, [...seen, phase]);
    const from = (obj as unknown as ImageLocation).status?.pullingFrom;
    const froms = sources.get(obj.metadata.name!) ?? [];
    if (from && froms.at(-1) !== from) sources.set(obj.metadata.name!, [...froms, from]);
  };
  watch.addHandler({ onAdd: record, onUpdate: (_, obj) => record(obj) });
  watch.start();
  await watch.waitForSync();
  const ports = await Promise.all(nodes.map(() => freePort()));
  const agents = nodes.map((node, i) =>
    startAgentProcess({ kubeconfig: tb.kubeconfigPath, node: node.name, namespace: ns, socket: node.socket, registryHost: tb.registry!.host, hostsDir: node.hostsDir, extraArgs: [`--http-listen=127.0.0.1:${ports[i]}`] }),
  );
  t.context = { tb, ns, client, nodes, agents, metrics: ports.map((port) => `http://127.0.0.1:${port}/metrics`), watch, history, sources, spread: {} };
});

test.after.always(async (t) => {
  if (!t.context.agents) return;
  for (const agent of t.context.agents) await agent.stop();
  await t.context.watch.stop();
  t.context.client.close();
});

test.serial("an image built on node-1 is pushed to the registry and becomes Present on every node, one ImageLocation each", async (t) => {
  const ctx = t.context;
  const image = (ctx.spread.image = await buildOn(ctx, 0, "spread", 256 << 10));
  const names = ctx.nodes.map((n) => n.name);
  const found = await eventually("the image Present on every node", () => presentEverywhere(ctx, image.digest, names), 90_000);

  t.is(found.length, names.length, "one location per node");
  const built = found.find((l) => l.spec.node === names[0])!;
  t.is(built.status?.source, "built");
  t.true(built.status?.pushedToRegistry);
  for (const pulled of found.filter((l) => l.spec.node !== names[0])) {
    t.is(pulled.status?.source, "pulled");
    t.truthy(pulled.status?.lastVerifiedTime);
    // Where the pull came from, for the other agents' waves: one source, a node holding the image or the registry,
    // and gone once Present (a stale one would take a feed from that source).
    const from = ctx.sources.get(pulled.metadata!.name!) ?? [];
    t.is(from.length, 1, `${pulled.spec.node} recorded its source once: ${from.join(", ")}`);
    t.true(from[0] === "registry" || (names.includes(from[0]!) && from[0] !== pulled.spec.node), `${pulled.spec.node} pulled from ${from[0]}`);
    t.is(pulled.status?.pullingFrom, undefined);
    t.log(`${pulled.spec.node}: ${pulled.status?.message}`);
  }
  const registry = new RegistryClient({ plainHttp: () => true });
  const [host, ...path] = image.reference.split("/");
  t.is((await registry.getManifest({ registry: host!, repository: path.join("/").replace(/:v1$/, ""), tag: "v1" })).digest, image.digest);
  for (const node of ctx.nodes) {
    const driver = new ContainerdDriver({ socket: node.socket, registry });
    t.truthy(await driver.inspect(image.digest), `${node.name}'s containerd holds it`);
    driver.close();
  }

  const table = kubectl(ctx.tb, "get", "imagelocations", "-n", ctx.ns);
  t.regex(table.split("\n")[0]!, /^NAME\s+IMAGE\s+NODE\s+PHASE\s+SOURCE\s+AGE/);
  const onNode2 = kubectl(ctx.tb, "get", "il", "-n", ctx.ns, "--field-selector", `spec.node=${names[1]}`, "-o", "name").trim().split("\n");
  t.is(onNode2.length, 1);
});

/** How many times the agent behind `metrics` has reconciled ImageLocations (each Present one: a check of the runtime). */
async function locationChecks(metrics: string): Promise<number> {
  const text = await (await fetch(metrics)).text();
  return [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*controller="imagelocation"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

test.serial("at rest, a Present location is checked again and again and never written", async (t) => {
  const ctx = t.context;
  const node = ctx.nodes[1]!;
  const held = () => locationsOf(ctx.watch, ctx.ns).filter((l) => l.spec.node === node.name);
  const before = new Map(held().map((l) => [l.metadata!.name!, l.metadata!.resourceVersion]));
  t.true(held().every((l) => l.status?.phase === "Present"));
  const start = await locationChecks(ctx.metrics[1]!);
  // Every check used to be written once in ten (lastVerifiedTime): twelve checks of each would have written each.
  await eventually("twelve checks of each of the node's locations", async () => (await locationChecks(ctx.metrics[1]!)) - start >= 12 * before.size, 120_000, 500);
  t.deepEqual(new Map(held().map((l) => [l.metadata!.name!, l.metadata!.resourceVersion])), before);
});

test.serial("an image removed from node-2's containerd by hand is Evicted, then Present again without help", async (t) => {
  const ctx = t.context;
  const node = ctx.nodes[1]!;
  const location = of(ctx.watch, ctx.ns, ctx.spread.image!.digest).find((l) => l.spec.node === node.name)!;
  const driver = new ContainerdDriver({ socket: node.socket, registry: new RegistryClient() });
  t.teardown(() => driver.close());
  ctx.history.set(location.metadata!.name!, ["Present"]);

  await driver.remove(ctx.spread.image!.digest);
  await eventually("Evicted then Present", () => {
    const phases = ctx.history.get(location.metadata!.name!)!;
    return phases.includes("Evicted") && phases.at(-1) === "Present" ? phases : undefined;
  });
  const phases = ctx.history.get(location.metadata!.name!)!;
  t.log(phases.join(" → "));
  t.true(phases.indexOf("Evicted") < phases.lastIndexOf("Present"));
  t.truthy(await driver.inspect(ctx.spread.image!.digest), "back in the runtime");
});

test.serial("a node that joins with its own containerd gets the image, and its ImageLocations go when the Node is deleted", async (t) => {
  const ctx = t.context;
  const name = `agent-join-${randomBytes(2).toString("hex")}`;
  const containerd = await Containerd.forSimulatedNode(mkdtempSync(join(tmpdir(), `${name}-`)), ctx.tb.registry!.host);
  t.teardown(() => containerd.stop());
  await addSimulatedNode(ctx.tb.kubeConfig, { name, runtime: "containerd" });
  const agent = startAgentProcess({ kubeconfig: ctx.tb.kubeconfigPath, node: name, namespace: ctx.ns, socket: containerd.socket, registryHost: ctx.tb.registry!.host, hostsDir: containerd.hostsDir });
  t.teardown(() => agent.stop());

  const joined = await eventually("the image Present on the new node", () => presentEverywhere(ctx, ctx.spread.image!.digest, [name]), 60_000);
  t.is(joined.filter((l) => l.spec.node === name).length, 1);
  await agent.stop();

  await ctx.tb.kubeConfig.makeApiClient(CoreV1Api).deleteNode({ name });
  await eventually("the garbage collector to delete the node's locations", () => (locationsOf(ctx.watch, ctx.ns).some((l) => l.spec.node === name) ? undefined : true), 60_000);
  t.pass();
});

test.serial("bad input fails its own ImageLocation with the reason while the agent keeps working", async (t) => {
  const ctx = t.context;
  const host = ctx.tb.registry!.host;
  const foreign = await uploadForeignPlatformImage(new RegistryClient({ plainHttp: () => true }), host);
  const prepull = { unparsable: `${host}/agent-test/Upper-Case:v1`, refused: `${host}/agent-test/never-pushed-${randomBytes(3).toString("hex")}:v1`, foreign };
  await ctx.client.create({
    apiVersion: "orchest.io/v1alpha1",
    kind: "OrchestCluster",
    metadata: { name: "cluster", namespace: ctx.ns, annotations: { [PREPULL_ANNOTATION]: Object.values(prepull).join(",") } },
    spec: {},
  });
  const node = ctx.nodes[2]!.name;
  const expected = { unparsable: "InvalidReference", refused: "RegistryRefused", foreign: "PlatformMismatch" };
  for (const [what, reference] of Object.entries(prepull)) {
    const failed = await eventually(`${what} to fail`, () =>
      locationsOf(ctx.watch, ctx.ns).find((l) => l.spec.node === node && l.spec.image === reference && l.status?.phase === "Failed"),
    );
    t.is(failed.status?.reason, expected[what as keyof typeof expected], failed.status?.message);
  }
  const another = await buildOn(ctx, 1, "after-bad-input", 64 << 10);
  await eventually("a later image still spreads", () => presentEverywhere(ctx, another.digest, ctx.nodes.map((n) => n.name)), 60_000);
  t.pass();
});

test.serial("an image no longer wanted is removed from every node, its build too, and the ImageLocations deleted", async (t) => {
  const ctx = t.context;
  const built = of(ctx.watch, ctx.ns, ctx.spread.image!.digest).find((l) => l.metadata?.labels?.[BUILT_LABEL] === BUILT_VALUE)!;
  // What the API does when the build's ImageBuild is deleted.
  await ctx.client.delete({ ...IMAGE_LOCATION, namespace: ctx.ns, name: built.metadata!.name! });
  await eventually("every location of the image deleted", () => (of(ctx.watch, ctx.ns, ctx.spread.image!.digest).length === 0 ? true : undefined));
  const registry = new RegistryClient();
  for (const node of ctx.nodes) {
    const driver = new ContainerdDriver({ socket: node.socket, registry });
    await eventually(`${node.name}'s containerd to drop it`, async () => ((await driver.inspect(ctx.spread.image!.digest)) ? undefined : true), 30_000).catch(() => undefined);
    t.is(await driver.inspect(ctx.spread.image!.digest), undefined, `${node.name} no longer holds it${node === ctx.nodes[0] ? " (the building node: its pinned build)" : ""}`);
    driver.close();
  }
});

test.serial("an agent killed mid-pull and restarted leaves no stuck Pulling and no duplicate ImageLocation", async (t) => {
  const ctx = t.context;
  const ns = await createTestNamespace(ctx.tb.kubeConfig, "agent-kill");
  // A slow registry (1 MiB/s) makes "mid-pull" a window of seconds; no peers, so the pull has to go there.
  const proxy = await ThrottledProxy.start(ctx.tb.registry!.host, 1 << 20);
  t.teardown(() => proxy.close());
  for (const node of [ctx.nodes[0]!, ctx.nodes[2]!]) trustPlainRegistry(node.hostsDir, proxy.host);
  const watch = new Informer(ctx.client, IMAGE_LOCATION, { namespace: ns });
  // What the locations went through, for the message if the victim is never seen Pulling.
  const seen: string[] = [];
  const note = (obj: unknown) => void seen.push(`${(obj as ImageLocation).spec.node}: ${JSON.stringify((obj as ImageLocation).status ?? {})}`);
  watch.addHandler({ onAdd: note, onUpdate: (_old, obj) => note(obj) });
  watch.start();
  t.teardown(() => watch.stop());
  const agentOn = (i: number) => startAgentProcess({ kubeconfig: ctx.tb.kubeconfigPath, node: ctx.nodes[i]!.name, namespace: ns, socket: ctx.nodes[i]!.socket, registryHost: proxy.host });
  const builder = agentOn(0);
  let victim = agentOn(2);
  t.teardown(() => Promise.all([builder.stop(), victim.stop()]));

  const image = await buildOn(ctx, 0, "killed", 3 << 20, proxy.host, ns);
  const victimNode = ctx.nodes[2]!.name;
  await eventually("the victim to be Pulling", () => of(watch, ns, image.digest).find((l) => l.spec.node === victimNode && l.status?.phase === "Pulling"), 120_000).catch((error: Error) => {
    throw new Error(`${error.message}; the locations' statuses as they came: ${seen.join(" | ")}`);
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await victim.kill();
  t.is(of(watch, ns, image.digest).find((l) => l.spec.node === victimNode)?.status?.phase, "Pulling", "killed while Pulling");

  victim = agentOn(2);
  await eventually("Present on the victim's node after the restart", () => presentEverywhere({ ...ctx, watch }, image.digest, [victimNode], ns), 60_000);
  const list = await ctx.client.list(IMAGE_LOCATION, { namespace: ns });
  t.is(list.items.filter((l) => (l as unknown as ImageLocation).spec.node === victimNode).length, 1, "one location for the victim's node");
  t.is(list.items.length, 2, "the builder's and the victim's");
  t.log(`registry served ${proxy.bytesServed} bytes for a ${image.size}-byte image`);
});
